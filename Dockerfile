# One image recipe for every deskgate app: docker build --build-arg APP=api|worker|sim .
FROM node:24-slim
ARG APP
# young generation in MB: 4 for the api (and sim), 2 for the worker (docker-compose.yml passes it)
ARG SEMI_SPACE_MB=4
# the port the app serves: api 8080, sim 8090, the worker's /metrics 9464 (docker-compose.yml passes it)
ARG LISTEN_PORT=8080
ENV NODE_ENV=production APP=${APP}
# deskgate's process environment (serviceProcessEnv in packages/runtime/src/node-options.ts: a
# test keeps the two equal): heap sizing, glibc malloc settings, Node's compile cache
ENV NODE_OPTIONS="--max-semi-space-size=${SEMI_SPACE_MB} --max-old-space-size=256" \
    MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072 \
    NODE_COMPILE_CACHE=/tmp/deskgate-compile-cache
WORKDIR /app
RUN npm install -g pnpm@12.21.0
# Dependencies first, from the lockfile and the manifests alone: this layer is reused until they
# change, whatever the sources do. Every workspace package's manifest is listed (a test checks).
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY patches/ patches/
COPY apps/api/package.json apps/api/
COPY apps/cli/package.json apps/cli/
COPY apps/sim/package.json apps/sim/
COPY apps/worker/package.json apps/worker/
COPY packages/client/package.json packages/client/
COPY packages/contracts/package.json packages/contracts/
COPY packages/db/package.json packages/db/
COPY packages/runtime/package.json packages/runtime/
COPY packages/upstream/package.json packages/upstream/
COPY packages/webhooks/package.json packages/webhooks/
RUN pnpm install --frozen-lockfile --filter "@deskgate/${APP}..."
# Then the sources (.dockerignore keeps node_modules, .tools, .data and .git out), owned by root:
# the app runs as the unprivileged `node` user and cannot change its own code.
COPY . .
USER node
EXPOSE ${LISTEN_PORT}
# api: /readyz; worker: its /metrics port; sim: its state (scripts/healthcheck.ts)
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.ts"]
CMD ["sh", "-c", "exec node apps/${APP}/src/main.ts"]

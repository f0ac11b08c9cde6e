# One image recipe for every deskgate app: docker build --build-arg APP=api|worker|sim .
FROM node:24-slim
ARG APP
# young generation in MB: 4 for the api (and sim), 2 for the worker (docker-compose.yml passes it)
ARG SEMI_SPACE_MB=4
ENV NODE_ENV=production APP=${APP}
# deskgate's process environment (serviceProcessEnv in packages/runtime/src/node-options.ts: a
# test keeps the two equal): heap sizing, glibc malloc settings, Node's compile cache
ENV NODE_OPTIONS="--max-semi-space-size=${SEMI_SPACE_MB} --max-old-space-size=256" \
    MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072 \
    NODE_COMPILE_CACHE=/tmp/deskgate-compile-cache
WORKDIR /app
RUN npm install -g pnpm@12.21.0
COPY . .
RUN pnpm install --frozen-lockfile --filter "@deskgate/${APP}..." && rm -rf .tools .data
USER node
CMD ["sh", "-c", "exec node apps/${APP}/src/main.ts"]

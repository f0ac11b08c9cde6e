# One image recipe for every deskgate app: docker build --build-arg APP=api|worker|sim .
FROM node:24-slim
ARG APP
ENV NODE_ENV=production APP=${APP}
WORKDIR /app
RUN npm install -g pnpm@12.21.0
COPY . .
RUN pnpm install --frozen-lockfile --filter "@deskgate/${APP}..." && rm -rf .tools .data
USER node
CMD ["sh", "-c", "exec node apps/${APP}/src/main.ts"]

# Tourniquet: worker + HTTP API in one process (see docker-compose.yml for the full stack).
#
# Stage 1 compiles with the dev dependencies, then prunes them, so the runtime image carries only
# what `node dist/workers/main.js` loads. Sources are copied folder by folder (not `COPY . .`) so a
# local node_modules, .data or .tools never ends up in the image.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY integrations ./integrations
COPY application ./application
COPY entrypoints ./entrypoints
COPY workers ./workers
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# The worker loads dist/workflow-bundle.js (built by npm run build, no webpack at start-up); the example catalog is the default CATALOG_PATH;
# scripts/ holds temporal-cli.sh, which dev-temporal.ts looks for when TEMPORAL_ADDRESS is unset.
COPY catalog.example.yaml ./catalog.example.yaml
COPY scripts ./scripts
# Code stays root-owned (the process cannot rewrite itself); only DATA_DIR is writable, for
# generated keys and embedded state when no DATABASE_URL / keys are given.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
ENV DATA_DIR=/app/.data HTTP_HOST=0.0.0.0 HTTP_PORT=8080
# Heap limit: 360 MB RSS with 1,000 open incidents instead of 550 MB (docs/operating.md "Memory"); override with NODE_OPTIONS.
ENV NODE_OPTIONS=--max-old-space-size=256
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/workers/main.js"]

# syntax=docker/dockerfile:1
# Waymark, self-hosted: the same product CI proves (.ci/pack-check): built with `npm run build`,
# packed with `node scripts/pack.mjs`, installed with `npm install --omit=dev`, run on plain node
# as a user without privileges.
#
#   docker build -t waymark .
#   docker compose up            (see compose.yaml: Waymark, PostgreSQL and one extra worker)

ARG NODE_VERSION=20

# --- build: every dev dependency, the TypeScript compiler and vite; none of it is shipped ---
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund
RUN npm run build && node scripts/pack.mjs /pack

# --- run: the packed product and its production dependencies only ---
FROM node:${NODE_VERSION}-bookworm-slim AS run
ENV NODE_ENV=production \
    WAYMARK_HOST=0.0.0.0 \
    PORT=8080 \
    WAYMARK_DATA_DIR=/var/lib/waymark \
    PATH=/opt/waymark/node_modules/.bin:$PATH
WORKDIR /opt/waymark
COPY --from=build /pack/waymark-*.tgz /tmp/
RUN npm install --omit=dev --no-audit --no-fund /tmp/waymark-*.tgz \
 && rm /tmp/waymark-*.tgz \
 && npm cache clean --force \
 && mkdir -p /var/lib/waymark \
 && chown node:node /var/lib/waymark
USER node
EXPOSE 8080
VOLUME ["/var/lib/waymark"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["waymark"]
CMD ["start"]

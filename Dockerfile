# cluvio-mcp as a container: MCP over streamable HTTP on 0.0.0.0:8765 (endpoint /mcp, plus /healthz and /readyz).
#
#   docker build -t cluvio-mcp .
#   docker run --rm -p 8765:8765 \
#     -e CLUVIO_API_KEY=<Cluvio API key secret> \
#     -e CLUVIO_MCP_AUTH_TOKEN=<at least 16 random characters> \
#     cluvio-mcp
#
# CLUVIO_MCP_AUTH_TOKEN is required: the server refuses to listen on a non-loopback address without it
# (clients then send "Authorization: Bearer <token>"). Flags given after the image name are appended to
# the entrypoint and win over the environment below, e.g. `... cluvio-mcp --read-only --stateless`;
# `docker run -i --rm -e CLUVIO_API_KEY=... cluvio-mcp --transport stdio` serves stdio instead.

# Node 24 is the Active LTS line (supported into 2028); the suite also passes on it, not only on engines' 20.19.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY ui ./ui
COPY scripts ./scripts
RUN npm run build

FROM node:${NODE_VERSION}-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Production dependencies only, from the lockfile; none of them needs an install script (the sandbox's SVG
# renderer, @resvg/resvg-js, comes as a prebuilt binary in the optional package for the platform).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# dist/version.js reads ../package.json for the server version, so package.json stays beside dist/.
COPY --from=build /app/dist ./dist

ENV CLUVIO_MCP_TRANSPORT=http \
    CLUVIO_MCP_HOST=0.0.0.0 \
    CLUVIO_MCP_PORT=8765
EXPOSE 8765

# The image's unprivileged user (uid 1000); nothing under /app needs to be writable.
USER node

# Liveness only: /healthz answers without the bearer token and without calling Cluvio (/readyz does that).
# No curl in slim images, so node's fetch does the request.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.CLUVIO_MCP_PORT || 8765) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "dist/cli.js"]

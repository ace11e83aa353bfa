# pinmesh peer image: `docker build -t pinmesh .`, or `docker-compose up` (see docker-compose.yml).
#
# The peer is configured with CLUSTER_* environment variables (upstream IPFS Cluster's names) and
# keeps its folder (identity, pinset, embedded IPFS) in the /data/pinmesh volume.

FROM node:24-bookworm-slim AS build
WORKDIR /src
# Native modules (classic-level) normally use prebuilt binaries; the toolchain is the fallback.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc tsconfig.base.json tsconfig.json turbo.json ./
COPY packages/ packages/
COPY apps/ apps/
# `npm install`, not `npm ci`: the lockfile lists only the platform packages of the machine that
# wrote it (see scripts/ensure.sh); install keeps the locked versions.
RUN npm install --no-audit --no-fund
RUN npx turbo run build --output-logs=errors-only
# Keep only what the peer needs at run time.
RUN npm prune --omit=dev --no-audit --no-fund \
 && rm -rf packages/*/src packages/*/test apps/*/src apps/*/test .turbo

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PINMESH_PATH=/data/pinmesh \
    PINMESH_LOG_FORMAT=json \
    CLUSTER_RESTAPI_HTTPLISTENMULTIADDRESS=/ip4/0.0.0.0/tcp/9094 \
    CLUSTER_LISTENMULTIADDRESS=/ip4/0.0.0.0/tcp/9096
WORKDIR /app
COPY --from=build /src /app
RUN mkdir -p /data/pinmesh && chown node:node /data/pinmesh
USER node
VOLUME /data/pinmesh
# 9094 REST API, 9095 IPFS proxy, 9096 cluster swarm (libp2p), 9097 Pinning Services API
EXPOSE 9094 9095 9096 9097
ENTRYPOINT ["node", "/app/apps/peer/dist/bin.js"]
CMD ["daemon"]

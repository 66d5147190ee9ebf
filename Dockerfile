# One image for every component (karmada-apiserver, karmada-controller-manager, karmada-scheduler,
# karmada-agent, karmadactl, kube-sim), like upstream's per-binary images but built once:
#   docker build -t karmada-ts:dev .
#   docker run --rm karmada-ts:dev karmada-agent --help
# Each binary is also at /bin/<name>, the path upstream's manifests (e.g. the karmada-agent Deployment
# that `karmadactl register` creates) invoke.

FROM node:20-bookworm-slim AS build
# better-sqlite3 builds from source when no prebuilt binary matches
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json ./
COPY cmd cmd
COPY pkg pkg
COPY hack hack
COPY e2e e2e
COPY crds crds
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/karmada
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
COPY --from=build /src/crds crds
COPY bin bin
RUN for b in karmada-apiserver karmada-controller-manager karmada-scheduler karmada-agent karmadactl kube-sim karmada; do \
      ln -s /opt/karmada/bin/$b.js /usr/local/bin/$b && ln -sf /opt/karmada/bin/$b.js /bin/$b; \
    done
# the agent keeps its offline store here (mount a volume to survive pod restarts)
RUN mkdir -p /var/lib/karmada-agent && chown node:node /var/lib/karmada-agent
USER node
ENTRYPOINT []
CMD ["karmada-agent", "--help"]

# syntax=docker/dockerfile:1
# capi-proxmox-talos as a container KRM function (kpt fn eval --image, kpt Kptfile `image:`, kustomize
# `container:` functions). Multi-stage: build the single-file bundle, then a minimal non-root runtime
# with just the node binary and that file. No shell or package manager at run time.
#
# Base images are build arguments, so an offline or mirrored registry can supply them:
#   docker build -t capi-proxmox-talos:0.1.0 .
#   podman build --build-arg BUILD_IMAGE=mirror/node:20-bookworm-slim --build-arg RUNTIME_IMAGE=mirror/cc:nonroot .
# DIST=prebuilt skips the in-container build and packages a dist/ built beside it (`npm run build`):
#   podman build --build-arg DIST=prebuilt -t capi-proxmox-talos:dev .
ARG BUILD_IMAGE=docker.io/library/node:20-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot
ARG DIST=build

FROM ${BUILD_IMAGE} AS node

FROM node AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json functionconfig.yaml ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.mjs

FROM scratch AS prebuilt
COPY dist/capi-proxmox-talos /src/dist/capi-proxmox-talos

FROM ${DIST} AS dist

FROM ${RUNTIME_IMAGE}
# The node binary of the build image: the code cache in the bundle is made for exactly this V8.
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=dist /src/dist/capi-proxmox-talos /fn/capi-proxmox-talos
# kpt and kustomize run functions as nobody with no network; any non-root user works.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/node", "/fn/capi-proxmox-talos"]

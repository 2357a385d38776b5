# syntax=docker/dockerfile:1
# capi-proxmox-talos as a container KRM function (kpt fn eval --image, kpt Kptfile `image:`, kustomize
# `container:` functions). Multi-stage: build the single-file bundle, then a minimal non-root runtime
# with just the node binary and that file. No shell or package manager at run time.
#
# Base images are build arguments, so an offline or mirrored registry can supply them:
#   docker build -t capi-proxmox-talos:0.1.0 .
#   podman build --build-arg BUILD_IMAGE=mirror/node:20-bookworm-slim --build-arg RUNTIME_IMAGE=mirror/cc:nonroot .
# DIST=prebuilt skips npm in the container and packages the dist/ built beside it (`npm run build`):
#   podman build --build-arg DIST=prebuilt -t capi-proxmox-talos:dev .
# (One stage either builds or checks: buildah plans stages before it expands build arguments, so a
# stage picked by an argument, FROM ${DIST}, does not work there.)
ARG BUILD_IMAGE=docker.io/library/node:20-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
ARG DIST=build
WORKDIR /src
COPY package.json package-lock.json ./
RUN if [ "$DIST" = build ]; then npm ci --no-audit --no-fund; fi
COPY . .
RUN if [ "$DIST" = build ]; then node scripts/build.mjs; else test -x dist/capi-proxmox-talos; fi

FROM ${RUNTIME_IMAGE}
# The node binary of the build image: the code cache in the bundle is made for exactly this V8.
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /src/dist/capi-proxmox-talos /fn/capi-proxmox-talos
# kpt and kustomize run functions as nobody with no network; any non-root user works.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/node", "/fn/capi-proxmox-talos"]

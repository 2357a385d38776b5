# syntax=docker/dockerfile:1
# capi-proxmox-talos as a container KRM function (kpt fn eval --image, kpt Kptfile `image:`, kustomize
# `container:` functions). Multi-stage: build the standalone executable (no Node needed to run it), then a
# runtime of just that file on the smallest base it needs: glibc and an /etc/passwd with a non-root user.
# No shell, no package manager, no Node at run time.
#
# Bases are pinned by digest (multi-arch index digests; the tag is kept for the reader). Refresh with
#   docker buildx imagetools inspect <image:tag> --format '{{.Manifest.Digest}}'
# and pass others (an offline or mirrored registry) as build arguments:
#   docker build -t capi-proxmox-talos:0.1.0 .
#   podman build --build-arg BUILD_IMAGE=mirror/node:20-bookworm-slim --build-arg RUNTIME_IMAGE=mirror/base-nossl:nonroot .
# DIST=prebuilt skips npm in the container and packages the dist/ built beside it (`npm run build`):
#   podman build --build-arg DIST=prebuilt -t capi-proxmox-talos:dev .
# (One stage either builds or checks: buildah plans stages before it expands build arguments, so a
# stage picked by an argument, FROM ${DIST}, does not work there.)
# The image is for the build's own architecture (TARGETARCH, set by BuildKit and buildah: amd64 or arm64).
ARG BUILD_IMAGE=docker.io/library/node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0
# distroless base-nossl: glibc (the standalone executable links only libc, libm, libpthread, libdl), no
# OpenSSL, no shell; `static` has no glibc, `cc` adds libgcc/libstdc++ that the executable does not use.
ARG RUNTIME_IMAGE=gcr.io/distroless/base-nossl-debian12:nonroot@sha256:be40c00dfabd86576d92666e87e406714d5618342de1a0c213ad232de255172e

FROM ${BUILD_IMAGE} AS build
ARG DIST=build
ARG TARGETARCH
WORKDIR /src
COPY package.json package-lock.json ./
RUN if [ "$DIST" = build ]; then npm ci --no-audit --no-fund; fi
COPY . .
RUN if [ "$DIST" = build ]; then node scripts/build.mjs; fi; \
    test -x "dist/capi-proxmox-talos-standalone-linux-$TARGETARCH" || { echo "no dist/capi-proxmox-talos-standalone-linux-$TARGETARCH" >&2; exit 1; }

FROM ${RUNTIME_IMAGE}
ARG TARGETARCH
COPY --from=build /src/dist/capi-proxmox-talos-standalone-linux-${TARGETARCH} /fn/capi-proxmox-talos
# kpt and kustomize run functions as nobody with no network; any non-root user works.
USER 65532:65532
ENTRYPOINT ["/fn/capi-proxmox-talos"]

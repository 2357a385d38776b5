#!/usr/bin/env bash
# Installs the pinned tools the end-to-end tests drive into .tools/bin (git-ignored). Cached: a second
# run costs nothing. kpt is not installed here: the tests use the machine's /usr/bin/kpt (or $KPT).
set -euo pipefail
cd "$(dirname "$0")/.."
KUSTOMIZE_VERSION=v5.8.1
BIN="$PWD/.tools/bin"
mkdir -p "$BIN"

if [ ! -x "$BIN/kustomize" ] || ! "$BIN/kustomize" version 2>/dev/null | grep -q "${KUSTOMIZE_VERSION#v}"; then
  command -v go >/dev/null || { echo "setup-tools: Go is needed to build kustomize ${KUSTOMIZE_VERSION} (go install)" >&2; exit 1; }
  echo "setup-tools: building kustomize ${KUSTOMIZE_VERSION} into .tools/bin (about a minute, once)" >&2
  GOBIN="$BIN" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"
fi

KPT="${KPT:-/usr/bin/kpt}"
if [ ! -x "$KPT" ]; then
  echo "setup-tools: kpt not found at $KPT; install kpt (https://kpt.dev) or set KPT=/path/to/kpt" >&2
  exit 1
fi
# podman runs the container-image tests (scripts/container-images.sh configures it under .tools/).
# Installed from Debian when missing and we may; CPT_NO_CONTAINER=1 opts out of those tests instead.
if [ -z "${CPT_NO_CONTAINER:-}" ] && ! command -v podman >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup-tools: installing podman and runc from Debian (container image tests)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc >/dev/null) \
      || echo "setup-tools: could not install podman; the container tests will fail (CPT_NO_CONTAINER=1 skips them)" >&2
  else
    echo "setup-tools: podman missing; install it, or set CPT_NO_CONTAINER=1 to skip the container tests" >&2
  fi
fi
echo "setup-tools: kustomize $("$BIN/kustomize" version), kpt $("$KPT" version)" >&2

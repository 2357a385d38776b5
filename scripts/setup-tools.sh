#!/usr/bin/env bash
# Installs the pinned tools the end-to-end tests drive into .tools/bin (git-ignored), and the providers'
# CRDs into .tools/crds (from their Go modules, pinned in providers/go.mod). Cached: a second run costs
# nothing. kpt is not installed here: the tests use the machine's /usr/bin/kpt (or $KPT).
# --crds: only the CRDs (what `npm run validate` needs; Go and nothing else).
set -euo pipefail
cd "$(dirname "$0")/.."
crds_only=0; [ "${1:-}" = --crds ] && crds_only=1
KUSTOMIZE_VERSION=v5.8.1
BIN="$PWD/.tools/bin"
mkdir -p "$BIN"

if [ "$crds_only" = 0 ] && { [ ! -x "$BIN/kustomize" ] || ! "$BIN/kustomize" version 2>/dev/null | grep -q "${KUSTOMIZE_VERSION#v}"; }; then
  command -v go >/dev/null || { echo "setup-tools: Go is needed to build kustomize ${KUSTOMIZE_VERSION} (go install)" >&2; exit 1; }
  echo "setup-tools: building kustomize ${KUSTOMIZE_VERSION} into .tools/bin (about a minute, once)" >&2
  GOBIN="$BIN" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"
fi

# Provider CRDs: each module of providers/go.mod from the Go module proxy (go mod download verifies it
# against sum.golang.org), its CRD folder linked as .tools/crds/<repository>/<version> for the validator.
CRDS="$PWD/.tools/crds"
command -v go >/dev/null || { echo "setup-tools: Go is needed to fetch the provider CRDs (go mod download)" >&2; exit 1; }
while read -r mod ver crds; do
  link="$CRDS/${mod##*/}/$ver"
  [ -d "$link" ] && continue
  dir="$(cd / && GOFLAGS= go mod download -json "$mod@$ver" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  if [ -z "$dir" ] || [ ! -d "$dir/$crds" ]; then
    echo "setup-tools: could not fetch the CRDs of $mod $ver from the Go module proxy (go mod download -json $mod@$ver)" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$link")"
  ln -sfn "$dir/$crds" "$link"
  echo "setup-tools: CRDs of $mod $ver -> .tools/crds/${mod##*/}/$ver" >&2
done < <(sed -n 's|^[[:space:]]*\([^ /][^ ]*\) \(v[^ ]*\) // crds: \(.*\)$|\1 \2 \3|p' providers/go.mod)
[ "$crds_only" = 1 ] && exit 0

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

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
echo "setup-tools: kustomize $("$BIN/kustomize" version), kpt $("$KPT" version)" >&2

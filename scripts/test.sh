#!/usr/bin/env bash
# Every test: build the bundle, install the pinned tools, type-check, then jest (unit, golden,
# property and end-to-end tests with the real kpt, kustomize and provider CRDs), then the Go
# end-to-end harness (test/e2e: the real CAPI providers against envtest and simulated Proxmox
# and Talos APIs; it builds its binaries from the Go module proxy once, ~20-25 min cold, into
# ~/.cache/capi-proxmox-talos-e2e; see docs/e2e.md).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs
bash scripts/setup-tools.sh
npx tsc -p .
npx jest --ci "$@"
(cd test/e2e && go test -count=1 -p 1 -timeout 75m ./...)

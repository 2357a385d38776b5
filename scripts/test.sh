#!/usr/bin/env bash
# Every test: build the bundle, install the pinned tools, type-check, then jest (unit, golden,
# property and end-to-end tests with the real kpt, kustomize and provider CRDs).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs
bash scripts/setup-tools.sh
npx tsc -p .
npx jest --ci "$@"

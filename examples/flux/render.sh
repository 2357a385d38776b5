#!/usr/bin/env bash
# CI step: render every cluster into rendered/<cluster>.yaml, the plain manifests Flux applies
# (Flux's kustomize-controller runs no KRM functions, so the rendering happens here, in CI).
#   render.sh          write rendered/
#   render.sh --check  fail if rendered/ is not what the specs produce (a stale commit)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
KUSTOMIZE="${KUSTOMIZE:-kustomize}"
status=0
for dir in "$here"/clusters/*/; do
  name="$(basename "$dir")"
  out="$here/rendered/$name.yaml"
  fresh="$("$KUSTOMIZE" build --enable-alpha-plugins --enable-exec "$dir")"
  if [ "${1:-}" = "--check" ]; then
    if ! diff -u "$out" <(printf '%s\n' "$fresh") >/dev/null 2>&1; then
      echo "rendered/$name.yaml is stale: run examples/flux/render.sh and commit the result" >&2
      status=1
    fi
  else
    printf '%s\n' "$fresh" > "$out"
  fi
done
exit $status

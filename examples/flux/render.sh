#!/usr/bin/env bash
# CI step: render every cluster into rendered/<cluster>.yaml, the plain manifests Flux applies
# (Flux's kustomize-controller runs no KRM functions, so the rendering happens here, in CI).
#   render.sh          write rendered/
#   render.sh --check  fail if rendered/ is not what the specs produce (a stale commit)
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: render.sh [--check]

Renders every cluster under clusters/<name>/ (a ClusterSpec and its kustomization) with
`kustomize build --enable-alpha-plugins --enable-exec` into rendered/<name>.yaml, the plain manifests
Flux applies.
  --check   write nothing; exit 1 when a rendered/<name>.yaml is not what its spec renders (the CI gate)
  --help    this text
kustomize v5 must be on PATH, or named by KUSTOMIZE=/path/to/kustomize; the ClusterSpecs name the
function's executable in their config.kubernetes.io/function annotation.
USAGE
}
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "" | --check) [ $# -le 1 ] || { usage >&2; exit 2; } ;;
  *) echo "render.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
esac
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

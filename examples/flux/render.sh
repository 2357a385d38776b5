#!/usr/bin/env bash
# CI step: render every cluster into rendered/<cluster>.yaml, the plain manifests Flux applies
# (Flux's kustomize-controller runs no KRM functions, so the rendering happens here, in CI).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: render.sh [--check] [--allow-cluster-deletion NAME]... [--help]

Renders clusters/<name>/ (kustomize + capi-proxmox-talos) into rendered/<name>.yaml, which Flux applies.

  (no option)      write rendered/ (a rendered file whose cluster folder is gone is removed)
  --check          the CI gate: fail if rendered/ is not what the specs produce (a stale commit)
  --allow-cluster-deletion NAME
                   allow this run to delete the Cluster NAME (or NAMESPACE/NAME); repeatable
  --help           this text

Deletion guard: Flux applies rendered/ with prune: true, so a render without a Cluster that the previous
render had deletes that Cluster, and CAPI deletes its VMs. An emptied, truncated or removed cluster.yaml
does exactly that. Any such render is refused (exit 1, nothing written) unless the deletion is allowed
by name, with --allow-cluster-deletion or ALLOW_CLUSTER_DELETION=NAME[,NAME...].

The previous render is rendered/<name>.yaml as committed at RENDER_BASE when that is set (in CI: the
revision last applied, e.g. origin/main for a pull request), else, in --check, at HEAD^ (the commit
before the one being checked), else the file on disk.

kustomize v5 must be on PATH, or named by KUSTOMIZE=/path/to/kustomize; the ClusterSpecs name the
function's executable in their config.kubernetes.io/function annotation.
Environment: KUSTOMIZE (default: kustomize on PATH), RENDER_BASE, ALLOW_CLUSTER_DELETION.
EOF
}

here="$(cd "$(dirname "$0")" && pwd)"
KUSTOMIZE="${KUSTOMIZE:-kustomize}"
check=0
allowed=",${ALLOW_CLUSTER_DELETION:-},"
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --allow-cluster-deletion) [ $# -ge 2 ] || { echo "render.sh: --allow-cluster-deletion needs a cluster name" >&2; exit 2; }; allowed="$allowed$2,"; shift ;;
    --allow-cluster-deletion=*) allowed="$allowed${1#*=}," ;;
    -h | --help) usage; exit 0 ;;
    *) echo "render.sh: unknown argument '$1' (see render.sh --help)" >&2; exit 2 ;;
  esac
  shift
done

# The revision that holds the previous render, if any.
base="${RENDER_BASE:-}"
if [ -z "$base" ] && [ "$check" = 1 ] && git -C "$here" rev-parse -q --verify 'HEAD^{commit}' >/dev/null 2>&1; then
  git -C "$here" rev-parse -q --verify 'HEAD^^{commit}' >/dev/null 2>&1 && base='HEAD^'
fi
if [ -n "$base" ] && ! git -C "$here" rev-parse -q --verify "$base^{commit}" >/dev/null 2>&1; then
  echo "render.sh: RENDER_BASE '$base' is not a git revision here" >&2
  exit 2
fi
previous() { # the previous render of cluster folder $1
  if [ -n "$base" ]; then git -C "$here" show "$base:./rendered/$1.yaml" 2>/dev/null || true
  elif [ -f "$here/rendered/$1.yaml" ]; then cat "$here/rendered/$1.yaml"
  fi
}
previous_names() {
  if [ -n "$base" ]; then git -C "$here" ls-tree --name-only "$base" ./rendered/ 2>/dev/null | sed -n 's|.*/\([^/]*\)\.yaml$|\1|p'
  else for f in "$here"/rendered/*.yaml; do [ -e "$f" ] && basename "$f" .yaml; done
  fi
}
# "namespace/name" of every CAPI Cluster in a rendered stream (kustomize writes it in this canonical form).
clusters() {
  awk '
    function flush() { if (kind == "Cluster" && api ~ /^cluster\.x-k8s\.io\//) print (ns == "" ? "default" : ns) "/" name; kind = api = name = ns = ""; md = 0 }
    /^---/ { flush(); next }
    /^kind:/ { kind = $2 } /^apiVersion:/ { api = $2 }
    /^metadata:/ { md = 1; next } /^[^ #]/ { md = 0 }
    md && /^  name:/ { name = $2 } md && /^  namespace:/ { ns = $2 }
    END { flush() }' | tr -d "\"'"
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
names="$( { for d in "$here"/clusters/*/; do [ -d "$d" ] && basename "$d"; done; previous_names; } | sort -u)"
status=0
refused=0
for name in $names; do
  fresh="$tmp/$name.yaml"
  if [ -d "$here/clusters/$name" ]; then
    rendered="$("$KUSTOMIZE" build --enable-alpha-plugins --enable-exec "$here/clusters/$name")"
    printf '%s\n' "$rendered" > "$fresh"
  else
    : > "$fresh" # the folder is gone: nothing is rendered for it
  fi
  # The deletion guard: every Cluster the previous render had must still be there, or be allowed to go.
  kept="$(clusters < "$fresh")"
  for c in $(previous "$name" | clusters); do
    printf '%s\n' "$kept" | grep -qxF "$c" && continue
    case "$allowed" in *",$c,"* | *",${c#*/},"*) echo "render.sh: deleting Cluster $c (allowed)" >&2; continue ;; esac
    echo "render.sh: refusing to render rendered/$name.yaml: it would delete Cluster $c, which the previous render has (Flux prunes it and CAPI deletes its machines). If you mean to delete it, run again with --allow-cluster-deletion ${c#*/} (or ALLOW_CLUSTER_DELETION=${c#*/})." >&2
    refused=1
  done
  out="$here/rendered/$name.yaml"
  if [ "$check" = 1 ] && { [ -e "$out" ] || [ -d "$here/clusters/$name" ]; } && ! cmp -s "$out" "$fresh"; then
    echo "rendered/$name.yaml is stale: run examples/flux/render.sh and commit the result" >&2
    status=1
  fi
done
[ "$refused" = 0 ] || exit 1
[ "$check" = 1 ] && exit $status
# Nothing is written unless every cluster rendered and passed the guard.
mkdir -p "$here/rendered"
for name in $names; do
  if [ -d "$here/clusters/$name" ]; then cp "$tmp/$name.yaml" "$here/rendered/$name.yaml"
  else rm -f "$here/rendered/$name.yaml"
  fi
done

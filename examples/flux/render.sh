#!/usr/bin/env bash
# CI step and local render: render every cluster into rendered/<cluster>.yaml, the plain manifests Flux
# applies (Flux's kustomize-controller runs no KRM functions, so the rendering happens here), and judge the
# plan -- what applying them does to the live clusters -- before anything is written or merged.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: render.sh [--check] [--base REV] [--allow CLUSTER]... [--output json] [--help]

Renders every clusters/<name>/ into rendered/<name>.yaml, which Flux applies, and prints the plan: what
applying the whole fresh render does to the live clusters, compared with the render at the base.

  (no option)      write rendered/ (a rendered file whose cluster folder is gone is removed) unless the
                   gate refuses the plan; compared with --base if given, else with rendered/ as on disk
  --check          the CI gate: the plan of the fresh render against the render at --base (required),
                   and rendered/ must be exactly what the specs produce (a stale commit fails)
  --base REV       the revision Flux last applied (also RENDER_BASE=REV); see "The base" below
  --allow CLUSTER  let this run delete CLUSTER, move it, destroy machines of it, or take its Talos
                   back a minor (only the revert of a move no machine runs yet) (NAME or
                   NAMESPACE/NAME); repeatable, or ALLOW_CLUSTERS=a,b (--allow-cluster-deletion and
                   ALLOW_CLUSTER_DELETION are the same)
  --output json    print the plan as JSON (the schema: docs/plan.md), for CI bots
  --help           this text

The gate (capi-proxmox-talos diff --gate): Flux applies rendered/ with prune: true, so whatever leaves the
render is deleted, and CAPI deletes VMs for it. Refused (exit 1, nothing written) unless allowed by name:
deleting a cluster (an emptied, truncated or removed spec does it), renaming it or moving it to another
namespace (a new cluster: new etcd, old VMs destroyed), pruning the control plane, a pool or the
ProxmoxCluster of a cluster that stays, changing its API endpoint or cluster network, taking its Talos
back a minor (allow it only to revert a Talos move no machine runs yet, e.g. one an older CABPT
refused). Always refused: Kubernetes upgrades that skip a minor or go back, Talos upgrades that skip a
minor, clusters that collide (endpoint, addresses, VM IDs), an object rendered twice. Moving a cluster's
folder or file is none of these.

The base: the render Flux applied last, as committed at REV -- never a guess such as HEAD^ (a push of two
commits would be judged by its last one). In CI for a pull request: the merge base with the target branch,
  --base "$(git merge-base origin/main HEAD)"
For a push to the branch Flux applies: the revision it last applied,
  --base "$(kubectl -n flux-system get kustomization clusters -o jsonpath='{.status.lastAppliedRevision}')"
(main@sha1:<sha> is accepted as it is). A repository's very first render: the empty tree,
  --base "$(git hash-object -t tree /dev/null)"
A base without rendered/ is a first render: every cluster is created.

Rendering: a cluster folder whose kustomization.yaml holds only ClusterSpecs under generators: is rendered
by capi-proxmox-talos itself (render DIR); any other needs kustomize v5 (KUSTOMIZE=/path, default:
kustomize on PATH). The function is CAPI_PROXMOX_TALOS=/path, default: capi-proxmox-talos on PATH.
Exit code: 0 fine, 1 refused or failed, 2 usage.
EOF
}

here="$(cd "$(dirname "$0")" && pwd)"
check=0
output=text
base="${RENDER_BASE:-}"
allow=()
add_allowed() { local IFS=,; for a in $1; do [ -n "$a" ] && allow+=(--allow "$a"); done; return 0; }
add_allowed "${ALLOW_CLUSTERS:-}"
add_allowed "${ALLOW_CLUSTER_DELETION:-}"
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "render.sh: $1 needs a value (see render.sh --help)" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --base) need_value "$@"; base="$2"; shift ;;
    --base=*) base="${1#*=}" ;;
    --allow | --allow-cluster-deletion) need_value "$@"; add_allowed "$2"; shift ;;
    --allow=* | --allow-cluster-deletion=*) add_allowed "${1#*=}" ;;
    --output) need_value "$@"; output="$2"; shift ;;
    --output=*) output="${1#*=}" ;;
    -h | --help) usage; exit 0 ;;
    *) echo "render.sh: unknown argument '$1' (see render.sh --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$output" in text | json) ;; *) echo "render.sh: --output takes text or json, not '$output'" >&2; exit 2 ;; esac

# The function, and (only where a folder needs it) kustomize.
CPT="${CAPI_PROXMOX_TALOS:-capi-proxmox-talos}"
if ! command -v "$CPT" >/dev/null 2>&1; then
  echo "render.sh: $CPT not found: put capi-proxmox-talos on PATH (docs/running.md, \"Install\") or set CAPI_PROXMOX_TALOS=/path/to/it" >&2
  exit 1
fi
case "$CPT" in */*) CPT="$(cd "$(dirname "$CPT")" && pwd)/$(basename "$CPT")" ;; esac # the plan runs from another folder
KUSTOMIZE="${KUSTOMIZE:-kustomize}"

# The base: a revision, Flux's lastAppliedRevision (branch@sha1:<sha>), or a tree.
if [ -n "$base" ]; then
  case "$base" in *@sha1:* | *@sha256:*) base="${base##*:}" ;; sha1:* | sha256:*) base="${base#*:}" ;; esac
  if ! git -C "$here" rev-parse -q --verify "$base^{tree}" >/dev/null 2>&1; then
    echo "render.sh: the base '$base' is not a git revision of this repository (fetch it first: git fetch origin, or a deeper clone)" >&2
    exit 2
  fi
elif [ "$check" = 1 ]; then
  cat >&2 <<'EOF'
render.sh: --check needs the base: the revision whose rendered/ Flux applied last (--base REV or RENDER_BASE).
  In CI for a pull request, the merge base with the target branch:  --base "$(git merge-base origin/main HEAD)"
  For a push to the branch Flux applies, its last applied revision:
    --base "$(kubectl -n flux-system get kustomization clusters -o jsonpath='{.status.lastAppliedRevision}')"
  A repository's first render:  --base "$(git hash-object -t tree /dev/null)"
EOF
  exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Laid out so that the plan's messages name files as base/rendered/<name>.yaml and fresh/rendered/<name>.yaml.
mkdir -p "$tmp/base" "$tmp/fresh/rendered"

# The previous render: rendered/ at the base, else (a local render without --base) rendered/ on disk.
if [ -n "$base" ]; then
  git -C "$here" ls-tree -r -z --name-only "$base" -- rendered/ | while IFS= read -r -d '' f; do
    mkdir -p "$tmp/base/$(dirname "$f")"
    git -C "$here" show "$base:./$f" > "$tmp/base/$f"
  done
elif [ -d "$here/rendered" ]; then
  cp -R "$here/rendered" "$tmp/base/"
  [ "$output" = json ] || echo "render.sh: compared with rendered/ as it is on disk (the CI gate compares with the revision Flux applied: --base)" >&2
fi

# The fresh render of every cluster folder. Nothing is written to rendered/ before all of them rendered.
names=()
for d in "$here"/clusters/*/; do [ -d "$d" ] && names+=("$(basename "$d")"); done
for name in ${names[@]+"${names[@]}"}; do
  dir="$here/clusters/$name"
  fresh="$tmp/fresh/rendered/$name.yaml"
  rc=0
  "$CPT" render "$dir" > "$fresh" 2> "$tmp/stderr" || rc=$?
  if [ "$rc" = 3 ]; then # the folder needs kustomize
    if ! command -v "$KUSTOMIZE" >/dev/null 2>&1; then
      echo "render.sh: clusters/$name needs kustomize ($(sed -n 's/^\[error\] [^:]*: \(.*\): this folder needs kustomize.*/\1/p' "$tmp/stderr")) and $KUSTOMIZE is not on PATH: download a kustomize v5 release binary (https://github.com/kubernetes-sigs/kustomize/releases, no Go needed) onto PATH, or set KUSTOMIZE=/path/to/kustomize" >&2
      exit 1
    fi
    rc=0
    "$KUSTOMIZE" build --enable-alpha-plugins --enable-exec "$dir" > "$fresh" 2> "$tmp/stderr" || rc=$?
  fi
  if [ "$rc" != 0 ]; then
    cat "$tmp/stderr" >&2
    echo "render.sh: clusters/$name did not render (exit $rc); nothing was written" >&2
    exit 1
  fi
  grep -v '^\[info\] ' "$tmp/stderr" >&2 || true
  if ! grep -q '[^[:space:]]' "$fresh"; then
    echo "render.sh: clusters/$name renders nothing (an emptied spec?); nothing was written. To delete a cluster, remove its folder" >&2
    exit 1
  fi
done

# The plan of the whole fresh render against the previous one, judged by the gate.
plan_rc=0
(cd "$tmp" && "$CPT" diff --gate --output "$output" ${allow[@]+"${allow[@]}"} base fresh) || plan_rc=$?
[ "$plan_rc" = 0 ] || exit "$plan_rc"

if [ "$check" = 1 ]; then
  status=0
  for name in ${names[@]+"${names[@]}"}; do
    if ! cmp -s "$here/rendered/$name.yaml" "$tmp/fresh/rendered/$name.yaml"; then
      echo "rendered/$name.yaml is stale: run render.sh and commit the result" >&2
      status=1
    fi
  done
  for f in "$here"/rendered/*.yaml; do
    [ -e "$f" ] || continue
    [ -d "$here/clusters/$(basename "$f" .yaml)" ] && continue
    echo "rendered/$(basename "$f") has no cluster folder: run render.sh (it removes it) and commit the result" >&2
    status=1
  done
  exit "$status"
fi

# Write: each file complete or not at all (a temporary file renamed into place), then the stale ones removed.
mkdir -p "$here/rendered"
for name in ${names[@]+"${names[@]}"}; do
  cp "$tmp/fresh/rendered/$name.yaml" "$here/rendered/.$name.yaml.tmp"
  mv -f "$here/rendered/.$name.yaml.tmp" "$here/rendered/$name.yaml"
done
for f in "$here"/rendered/*.yaml; do
  [ -e "$f" ] || continue
  [ -d "$here/clusters/$(basename "$f" .yaml)" ] || rm -f "$f"
done

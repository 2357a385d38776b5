#!/usr/bin/env bash
# Builds (once) the real binaries the e2e harness runs, each from its wrapper module in this
# directory, fetching only from the Go module proxy. Output goes outside the clone:
#   ${CPT_E2E_CACHE:-~/.cache/capi-proxmox-talos-e2e}/<wrapper>-<hash of its go.mod+go.sum>/
# A directory that exists is reused (warm run: nothing is built). Prints one line per wrapper:
#   <wrapper>=<directory>
# Usage: build.sh [wrapper...]   (default: every wrapper)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${CPT_E2E_CACHE:-$HOME/.cache/capi-proxmox-talos-e2e}"
mkdir -p "$cache"
export GOFLAGS="-mod=readonly -buildvcs=false"

# wrapper -> "binary=package ..." ; ldflags per wrapper below
declare -A pkgs=(
  [kube]="kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver etcd=go.etcd.io/etcd/server/v3"
  [capi]="capi-manager=sigs.k8s.io/cluster-api/core"
  [capmox]="capmox-manager=github.com/ionos-cloud/cluster-api-provider-proxmox/cmd"
  [cabpt]="cabpt-manager=github.com/siderolabs/cluster-api-bootstrap-provider-talos"
  [cacppt]="cacppt-manager=github.com/siderolabs/cluster-api-control-plane-provider-talos"
  [ipam]="ipam-manager=sigs.k8s.io/cluster-api-ipam-provider-in-cluster"
  [flux-source]="source-controller=github.com/fluxcd/source-controller"
  [flux-kustomize]="kustomize-controller=github.com/fluxcd/kustomize-controller"
)
kube_ldflags="-X k8s.io/component-base/version.gitVersion=v1.36.3 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36"

wrappers=("$@")
[ ${#wrappers[@]} -gt 0 ] || wrappers=(kube capi capmox cabpt cacppt ipam flux-source flux-kustomize)
for w in "${wrappers[@]}"; do
  hash="$(cat "$here/$w/go.mod" "$here/$w/go.sum" | sha256sum | cut -c1-16)"
  out="$cache/$w-$hash"
  # One builder per wrapper at a time (parallel test runs, or build.sh started by hand).
  exec {lock}>"$out.lock"
  flock "$lock"
  if [ ! -f "$out/.complete" ]; then
    rm -rf "$out.tmp"; mkdir -p "$out.tmp"
    start=$(date +%s)
    for pair in ${pkgs[$w]}; do
      bin="${pair%%=*}"; pkg="${pair#*=}"
      ldflags="-s -w"; [ "$w" = kube ] && ldflags="$ldflags $kube_ldflags"
      (cd "$here/$w" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp/$bin" "$pkg") >&2
    done
    echo "built $w in $(( $(date +%s) - start ))s" >&2
    touch "$out.tmp/.complete"
    rm -rf "$out"; mv "$out.tmp" "$out"
  fi
  exec {lock}>&-
  echo "$w=$out"
done

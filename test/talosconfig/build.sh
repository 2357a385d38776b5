#!/usr/bin/env bash
# Builds (once) the Talos oracle (this directory: Talos machinery v1.14.1 from the Go module proxy) into
# a cache outside the clone, keyed by a hash of its go.mod, go.sum and sources:
#   ${CPT_TALOSCONFIG_CACHE:-~/.cache/capi-proxmox-talos-talosconfig}/talosconfig-<hash>/talosconfig
# A directory that exists is reused (warm run: nothing is built). Prints the binary's path.
# --no-build: print the path if it is built, else exit 3 (the jest suite asks this way: a cold build
# inside a test would run into its time limit; scripts/test.sh builds it before jest starts).
# Cold (empty Go module and build caches): about 2 minutes on 2 cores (README "Tests").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${CPT_TALOSCONFIG_CACHE:-$HOME/.cache/capi-proxmox-talos-talosconfig}"
mkdir -p "$cache"
export GOFLAGS="-mod=readonly -buildvcs=false"

hash="$(cd "$here" && cat go.mod go.sum $(ls *.go | grep -v '_test\.go$' | sort) | sha256sum | cut -c1-16)"
out="$cache/talosconfig-$hash"
# One builder at a time (parallel test runs, or build.sh started by hand).
if [ "${1:-}" = "--no-build" ]; then
  [ -f "$out/.complete" ] || { echo "the Talos oracle is not built: run bash test/talosconfig/build.sh (npm test does)" >&2; exit 3; }
  echo "$out/talosconfig"; exit 0
fi
exec {lock}>"$out.lock"
flock "$lock"
if [ ! -f "$out/.complete" ]; then
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  start=$(date +%s)
  (cd "$here" && go build -trimpath -ldflags "-s -w" -o "$out.tmp/talosconfig" .) >&2
  echo "built the Talos oracle in $(( $(date +%s) - start ))s" >&2
  touch "$out.tmp/.complete"
  rm -rf "$out"; mv "$out.tmp" "$out"
fi
exec {lock}>&-
echo "$out/talosconfig"

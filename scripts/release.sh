#!/usr/bin/env bash
# Makes a release: dist/release/capi-proxmox-talos-linux-<arch>.tar.gz for each architecture, and
# dist/release/SHA256SUMS. Each archive unpacks into capi-proxmox-talos/ with the same paths as a clone
# after `npm run build` (so the docs read the same for both): the standalone executable for that
# architecture and the Node build in dist/, scripts/install.sh, examples/ (render.sh), schema/, README.md,
# docs/, functionconfig.yaml, CHANGELOG.md. Run it in a clean clone after npm ci.
#
# Usage: release.sh [--fetch-bun] [ARCH...]   (ARCH: amd64, arm64; default both)
# Both architectures are built on one machine: the standalone build cross-compiles with the other
# architecture's Bun (scripts/standalone.mjs), which npm ci does not install (it installs only this
# machine's, and `npm install` of the other one is a no-op: it is already in the lock file, skipped for
# this CPU). --fetch-bun gets the pinned one with `npm pack`, checks it against package-lock.json's
# integrity, and unpacks it into node_modules (until the next npm ci). Without it nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

fetch=0
arches=()
for a in "$@"; do
  if [ "$a" = --fetch-bun ]; then fetch=1; else arches+=("$a"); fi
done
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64)
for a in "${arches[@]}"; do
  case "$a" in amd64 | arm64) ;; *) echo "release.sh: unknown architecture '$a' (amd64, arm64)" >&2; exit 2 ;; esac
done

# Each architecture's Bun must be in node_modules, or the build would skip that architecture.
for a in "${arches[@]}"; do
  pkg=@oven/bun-linux-x64; [ "$a" = arm64 ] && pkg=@oven/bun-linux-aarch64
  node -e "require.resolve('$pkg/package.json')" 2>/dev/null && continue
  version="$(node -p "require('./package.json').optionalDependencies['$pkg']")"
  if [ "$fetch" = 0 ]; then
    echo "release.sh: cannot build linux/$a: $pkg is not installed (npm ci installs only this machine's Bun); run release.sh --fetch-bun to fetch $pkg@$version with npm" >&2
    exit 1
  fi
  integrity="$(node -p "require('./package-lock.json').packages['node_modules/$pkg'].integrity")"
  tgz_dir="$(mktemp -d)"
  (cd "$tgz_dir" && npm pack --silent "$pkg@$version" >/dev/null)
  tgz="$(ls "$tgz_dir"/*.tgz)"
  actual="$(node -e "process.stdout.write('sha512-'+require('crypto').createHash('sha512').update(require('fs').readFileSync(process.argv[1])).digest('base64'))" "$tgz")"
  if [ "$actual" != "$integrity" ]; then
    echo "release.sh: $pkg@$version from the registry is not what package-lock.json pins ($actual, not $integrity)" >&2
    exit 1
  fi
  mkdir -p "node_modules/$pkg"
  tar -xzf "$tgz" --strip-components=1 -C "node_modules/$pkg"
  rm -rf "$tgz_dir"
  echo "release.sh: fetched $pkg@$version (integrity checked against package-lock.json) into node_modules" >&2
done
node scripts/build.mjs
for a in "${arches[@]}"; do
  [ -x "dist/capi-proxmox-talos-standalone-linux-$a" ] || { echo "release.sh: the build made no dist/capi-proxmox-talos-standalone-linux-$a" >&2; exit 1; }
done

out=dist/release
rm -rf "$out" dist/.release
mkdir -p "$out"
# The files of this commit only (nothing untracked, no generated/ of a local kpt run), at one fixed date.
mtime="@$(git log -1 --format=%ct 2>/dev/null || echo 0)"
mapfile -d '' tracked < <(git ls-files -z -- README.md CHANGELOG.md functionconfig.yaml docs examples schema scripts/install.sh)
for a in "${arches[@]}"; do
  stage="dist/.release/capi-proxmox-talos"
  rm -rf dist/.release
  mkdir -p "$stage/dist"
  cp --parents -p "${tracked[@]}" "$stage/"
  cp -p dist/capi-proxmox-talos "dist/capi-proxmox-talos-standalone-linux-$a" "$stage/dist/"
  tar -C dist/.release --sort=name --mtime="$mtime" --owner=0 --group=0 --numeric-owner --mode='u+rw,go+rX,go-w' -cf - capi-proxmox-talos |
    gzip -n > "$out/capi-proxmox-talos-linux-$a.tar.gz"
done
rm -rf dist/.release
(cd "$out" && sha256sum -- *.tar.gz > SHA256SUMS)
echo "release.sh: $(cd "$out" && ls | tr '\n' ' ')in $out"

#!/usr/bin/env bash
# Installs capi-proxmox-talos for you alone: no root, no Go, no kpt, no container engine. It copies an
# executable that is already here (in a release archive, or in a clone after `npm run build`) into
# ~/.local/bin, checks that it runs on this machine, and says when that folder is not on your PATH.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: install.sh [--node] [FILE]

Installs capi-proxmox-talos as ~/.local/bin/capi-proxmox-talos (CPT_INSTALL_DIR=DIR for another folder).

  (no option)  the standalone executable for this machine, dist/capi-proxmox-talos-standalone-linux-<arch>
               (Linux on amd64 or arm64; needs nothing else, not even Node)
  --node       the Node build, dist/capi-proxmox-talos (needs Node 20+ on PATH; any OS and CPU)
  FILE         this executable instead
  --help       this text

The new file replaces an installed one only once it has run here (capi-proxmox-talos --version): a
download for another architecture, or the Node build without Node, leaves the old one in place.
Exit code: 0 installed, 1 not installed, 2 usage.
EOF
}

here="$(cd "$(dirname "$0")" && pwd)"
dist="$(dirname "$here")/dist"
node=0
file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --node) node=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "install.sh: unknown option '$1' (see install.sh --help)" >&2; exit 2 ;;
    *) [ -z "$file" ] || { echo "install.sh: one FILE at most (see install.sh --help)" >&2; exit 2; }; file="$1" ;;
  esac
  shift
done
fail() { echo "install.sh: $*" >&2; exit 1; }

if [ -z "$file" ] && [ "$node" = 1 ]; then
  file="$dist/capi-proxmox-talos"
  what="Node build"
  [ -f "$file" ] || fail "$file is missing: in a clone, run npm ci && npm run build first"
  command -v node >/dev/null 2>&1 || fail "the Node build needs Node 20+ on PATH, and there is no node: install Node, or use the standalone executable (install.sh without --node)"
elif [ -z "$file" ]; then
  case "$(uname -s)/$(uname -m)" in
    Linux/x86_64 | Linux/amd64) arch=amd64 ;;
    Linux/aarch64 | Linux/arm64) arch=arm64 ;;
    *) fail "there is no standalone executable for $(uname -s)/$(uname -m) (Linux amd64 and arm64 only): with Node 20+, install.sh --node" ;;
  esac
  file="$dist/capi-proxmox-talos-standalone-linux-$arch"
  what="standalone, linux/$arch"
  if [ ! -f "$file" ]; then
    others="$(cd "$dist" 2>/dev/null && ls capi-proxmox-talos-standalone-linux-* 2>/dev/null | tr '\n' ' ' || true)"
    fail "$file is missing${others:+ (there is: $others)}: download the release archive for linux-$arch, or in a clone run npm ci && npm run build on this machine; with Node 20+, install.sh --node"
  fi
else
  what="from $file"
  [ -f "$file" ] || fail "$file: no such file"
fi

dir="${CPT_INSTALL_DIR:-${HOME:?HOME is not set; set CPT_INSTALL_DIR=DIR}/.local/bin}"
mkdir -p "$dir" 2>/dev/null || fail "cannot create $dir (set CPT_INSTALL_DIR=DIR to install elsewhere)"
target="$dir/capi-proxmox-talos"
tmp="$dir/.capi-proxmox-talos.install.$$"
trap 'rm -f "$tmp"' EXIT
cp "$file" "$tmp" 2>/dev/null || fail "cannot write into $dir (set CPT_INSTALL_DIR=DIR to install elsewhere)"
chmod 0755 "$tmp"
# It must run here before it replaces anything: a wrong architecture, a CPU without AVX2 (amd64 build),
# or the Node build without Node fail now, not in the middle of a render.
if ! version="$("$tmp" --version 2>&1)"; then
  why="$(printf '%s\n' "${version//"$tmp"/$file}" | head -n 1 | sed 's/^.*install\.sh: line [0-9]*: //')"
  fail "$file does not run on this machine, so nothing was installed: $why"
fi
mv -f "$tmp" "$target"
trap - EXIT
echo "installed capi-proxmox-talos $version ($what) as $target"

found="$(command -v capi-proxmox-talos 2>/dev/null || true)"
if [ "$found" != "$target" ]; then
  case ":$PATH:" in
    *":$dir:"*) echo "install.sh: note: $found comes first on your PATH, so that one runs; remove it, or put $dir before it" >&2 ;;
    *) echo "install.sh: $dir is not on your PATH: add  export PATH=\"$dir:\$PATH\"  to ~/.profile (or your shell's startup file), then open a new shell" >&2 ;;
  esac
fi

#!/usr/bin/env bash
# Builds the function's container image with podman on a machine that cannot pull base images: the
# Dockerfile's base images are replaced by stand-ins assembled from this host. The runtime stand-in is
# what the real base (distroless base-nossl) gives the standalone executable: the glibc libraries it links
# and an /etc/passwd with nobody and the non-root user; no shell, no node. The build stand-in has a shell
# (and for --full, node and npm). podman is configured through project-local files under .tools/containers
# (nothing in /etc is touched); images and layers persist there, so a rebuild with unchanged inputs is a
# cache hit (overlay storage; CPT_CONTAINER_STORAGE=vfs where overlay does not work).
#   scripts/container-images.sh          build localhost/capi-proxmox-talos:dev from dist/ (npm run build first)
#   scripts/container-images.sh --full   also build localhost/capi-proxmox-talos:full the default way:
#                                        npm ci and the build inside the container (needs the npm registry)
#   scripts/container-images.sh --env    print `export` lines for the variables podman needs:
#                                        eval "$(scripts/container-images.sh --env)"; podman images
# Exits 3 when podman cannot run containers here.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$PWD/.tools/containers"
driver="${CPT_CONTAINER_STORAGE:-overlay}"
mkdir -p "$dir/storage-$driver" "$dir/run-$driver"
cat > "$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]
[engine]
runtime = "runc"
CONF
cat > "$dir/storage-$driver.conf" <<CONF
[storage]
driver = "$driver"
graphroot = "$dir/storage-$driver"
runroot = "$dir/run-$driver"
CONF
export CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage-$driver.conf"
if [ "${1:-}" = "--env" ]; then
  printf 'export CONTAINERS_CONF=%q\n' "$CONTAINERS_CONF"
  printf 'export CONTAINERS_STORAGE_CONF=%q\n' "$CONTAINERS_STORAGE_CONF"
  exit 0
fi
command -v podman >/dev/null || { echo "container-images: podman is not installed (apt-get install podman runc)" >&2; exit 3; }
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
standalone="dist/capi-proxmox-talos-standalone-linux-$arch"
[ -x "$standalone" ] || { echo "container-images: $standalone is missing: run npm run build" >&2; exit 1; }

# Stand-in base images: a root filesystem with the given host programs and the shared libraries they link.
stage() { # $1 = folder, $2... = host programs whose libraries go in; programs after "--" are copied too
  local root="$1"; shift
  rm -rf "$root" && mkdir -p "$root/etc" "$root/tmp" "$root/bin" "$root/usr/local/bin"
  local libs_of=() copy=() seen=0
  for a in "$@"; do if [ "$a" = -- ]; then seen=1; elif [ $seen = 1 ]; then copy+=("$a"); libs_of+=("$a"); else libs_of+=("$a"); fi; done
  for lib in $(for b in "${libs_of[@]}"; do ldd "$(readlink -f "$b")" 2>/dev/null || true; done | grep -o '/[^ ]*' | sort -u); do
    mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"
  done
  for b in ${copy[@]+"${copy[@]}"}; do cp -L "$b" "$root/bin/$(basename "$b")"; done
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' > "$root/etc/group"
  printf 'FROM scratch\nCOPY . /\nENV PATH=/usr/local/bin:/usr/bin:/bin\n' > "$root.Containerfile"
}
stage "$dir/base-runtime" "$standalone"
stage "$dir/base-build" -- /bin/sh
podman build -q --pull=never -t localhost/cpt-stand-in-runtime:local -f "$dir/base-runtime.Containerfile" "$dir/base-runtime" >/dev/null
podman build -q --pull=never -t localhost/cpt-stand-in-build:local -f "$dir/base-build.Containerfile" "$dir/base-build" >/dev/null

podman build -q --pull=never \
  --build-arg BUILD_IMAGE=localhost/cpt-stand-in-build:local \
  --build-arg RUNTIME_IMAGE=localhost/cpt-stand-in-runtime:local \
  --build-arg DIST=prebuilt --build-arg TARGETARCH="$arch" \
  -t localhost/capi-proxmox-talos:dev -f Dockerfile . >/dev/null 2>"$dir/build.log" || { cat "$dir/build.log" >&2; exit 1; }
podman run --rm --network none localhost/capi-proxmox-talos:dev --version >/dev/null 2>&1 || {
  echo "container-images: podman is installed but cannot run a container here" >&2; exit 3; }
echo "container-images: built localhost/capi-proxmox-talos:dev" >&2
# Untagged images are earlier builds' stages: drop them so the store does not grow with every build. (The
# final image stays a cache hit; only the build stage's COPY is redone next time.)
podman image prune -f >/dev/null

if [ "${1:-}" = "--full" ]; then
  # The build stand-in with node and npm, and this machine's CA bundle so npm reaches the registry from inside.
  full="$dir/base-node"
  stage "$full" -- /bin/sh "$(command -v node)"
  mv "$full/bin/node" "$full/usr/local/bin/node"
  mkdir -p "$full/usr/lib/node_modules" "$full/usr/bin" "$full/etc/ssl/certs"
  cp -r "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$full/usr/lib/node_modules/npm"
  printf '#!/bin/sh\nexec /usr/local/bin/node /usr/lib/node_modules/npm/bin/npm-cli.js "$@"\n' > "$full/usr/bin/npm"
  chmod +x "$full/usr/bin/npm"
  ca=""
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    cp -L "$NODE_EXTRA_CA_CERTS" "$full/etc/ssl/certs/extra.pem"; ca=" NODE_EXTRA_CA_CERTS=/etc/ssl/certs/extra.pem"
  fi
  printf 'FROM scratch\nCOPY . /\nENV PATH=/usr/local/bin:/usr/bin:/bin%s\n' "$ca" > "$full.Containerfile"
  podman build -q --pull=never -t localhost/cpt-stand-in-node:local -f "$full.Containerfile" "$full" >/dev/null
  podman build -q --pull=never \
    --build-arg BUILD_IMAGE=localhost/cpt-stand-in-node:local \
    --build-arg RUNTIME_IMAGE=localhost/cpt-stand-in-runtime:local \
    --build-arg TARGETARCH="$arch" -t localhost/capi-proxmox-talos:full -f Dockerfile . >/dev/null
  echo "container-images: built localhost/capi-proxmox-talos:full (npm ci and the build inside the container)" >&2
fi

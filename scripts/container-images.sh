#!/usr/bin/env bash
# Builds the function's container image with podman on a machine that cannot pull base images: the
# Dockerfile's base images are replaced by stand-ins assembled from this host (its node binary and the
# libraries it needs, and an /etc/passwd with nobody and the non-root user). podman is configured through
# project-local files under .tools/containers (nothing in /etc is touched).
#   scripts/container-images.sh          build localhost/capi-proxmox-talos:dev from dist/ (npm run build first)
#   scripts/container-images.sh --full   also build localhost/capi-proxmox-talos:full the default way:
#                                        npm ci and the build inside the container (needs the npm registry)
#   scripts/container-images.sh --env    print the environment variables podman needs (for eval)
# Exits 3 when podman cannot run containers here.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$PWD/.tools/containers"
mkdir -p "$dir/storage" "$dir/run"
cat > "$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]
[engine]
runtime = "runc"
CONF
cat > "$dir/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$dir/storage"
runroot = "$dir/run"
CONF
export CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf"
if [ "${1:-}" = "--env" ]; then
  echo "CONTAINERS_CONF=$CONTAINERS_CONF"
  echo "CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF"
  exit 0
fi
command -v podman >/dev/null || { echo "container-images: podman is not installed (apt-get install podman runc)" >&2; exit 3; }

# Stand-in base images: a root filesystem with the host's node and the shared libraries it links.
stage() { # $1 = folder, $2 = yes for the build stand-in (node, and the shell RUN steps use, as node images have)
  rm -rf "$1" && mkdir -p "$1/etc" "$1/usr/local/bin" "$1/tmp" "$1/bin"
  local node sh bins; node="$(readlink -f "$(command -v node)")"; sh="$(readlink -f /bin/sh)"
  bins="$node"; [ "$2" = yes ] && bins="$node $sh"
  for lib in $(for b in $bins; do ldd "$b"; done | grep -o '/[^ ]*' | sort -u); do mkdir -p "$1$(dirname "$lib")"; cp -L "$lib" "$1$lib"; done
  if [ "$2" = yes ]; then cp "$node" "$1/usr/local/bin/node"; cp "$sh" "$1/bin/sh"; fi
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$1/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' > "$1/etc/group"
  printf 'FROM scratch\nCOPY . /\nENV PATH=/usr/local/bin:/usr/bin:/bin\n' > "$1/Containerfile"
}
stage "$dir/base-node" yes
stage "$dir/base-runtime" no
podman build -q --pull=never -t localhost/cpt-stand-in-node:local "$dir/base-node" >/dev/null
podman build -q --pull=never -t localhost/cpt-stand-in-runtime:local "$dir/base-runtime" >/dev/null
podman run --rm --network none localhost/cpt-stand-in-node:local /usr/local/bin/node -e 0 >/dev/null 2>&1 || {
  echo "container-images: podman is installed but cannot run a container here" >&2; exit 3; }

podman build -q --pull=never \
  --build-arg BUILD_IMAGE=localhost/cpt-stand-in-node:local \
  --build-arg RUNTIME_IMAGE=localhost/cpt-stand-in-runtime:local \
  --build-arg DIST=prebuilt \
  -t localhost/capi-proxmox-talos:dev -f Dockerfile . >/dev/null
echo "container-images: built localhost/capi-proxmox-talos:dev" >&2

if [ "${1:-}" = "--full" ]; then
  # The build stand-in with npm, and this machine's CA bundle so npm reaches the registry from inside.
  full="$dir/base-build"
  rm -rf "$full" && cp -r "$dir/base-node" "$full"
  mkdir -p "$full/usr/lib/node_modules" "$full/usr/bin" "$full/etc/ssl/certs"
  cp -r "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$full/usr/lib/node_modules/npm"
  printf '#!/bin/sh\nexec /usr/local/bin/node /usr/lib/node_modules/npm/bin/npm-cli.js "$@"\n' > "$full/usr/bin/npm"
  chmod +x "$full/usr/bin/npm"
  ca=""
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    cp -L "$NODE_EXTRA_CA_CERTS" "$full/etc/ssl/certs/extra.pem"; ca=" NODE_EXTRA_CA_CERTS=/etc/ssl/certs/extra.pem"
  fi
  printf 'FROM scratch\nCOPY . /\nENV PATH=/usr/local/bin:/usr/bin:/bin%s\n' "$ca" > "$full/Containerfile"
  podman build -q --pull=never -t localhost/cpt-stand-in-build:local "$full" >/dev/null
  podman build -q --pull=never \
    --build-arg BUILD_IMAGE=localhost/cpt-stand-in-build:local \
    --build-arg RUNTIME_IMAGE=localhost/cpt-stand-in-runtime:local \
    -t localhost/capi-proxmox-talos:full -f Dockerfile . >/dev/null
  echo "container-images: built localhost/capi-proxmox-talos:full (npm ci and build in the container)" >&2
fi

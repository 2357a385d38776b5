#!/usr/bin/env bash
# Builds the function's container image with podman on a machine that cannot pull base images: the
# Dockerfile's base images are replaced by stand-ins assembled from this host (its node binary and the
# libraries it needs, and an /etc/passwd with nobody and the non-root user). podman is configured through
# project-local files under .tools/containers (nothing in /etc is touched).
#   scripts/container-images.sh          build localhost/capi-proxmox-talos:dev from dist/ (npm run build first)
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
stage() { # $1 = folder, $2 = with node (yes/no)
  rm -rf "$1" && mkdir -p "$1/etc" "$1/usr/local/bin" "$1/tmp"
  local node; node="$(readlink -f "$(command -v node)")"
  for lib in $(ldd "$node" | grep -o '/[^ ]*'); do mkdir -p "$1$(dirname "$lib")"; cp -L "$lib" "$1$lib"; done
  [ "$2" = yes ] && cp "$node" "$1/usr/local/bin/node"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$1/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' > "$1/etc/group"
  printf 'FROM scratch\nCOPY . /\n' > "$1/Containerfile"
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

// The provider releases whose CRDs the validator checks generated objects against, pinned as Go
// modules. Nothing here is built: scripts/setup-tools.sh runs `go mod download -json MOD@VERSION` for each
// require line (from the Go module proxy, checked against sum.golang.org) and links the folder named in
// its `// crds:` comment into .tools/crds/<repository>/<version>. Keep in step with src/validate/pinned.ts
// (test/validator.test.ts checks). Releases the proxy does not serve (CAPMOX v0.7.x, CABPT v0.7.0-alpha.2)
// are read from ../shared/crds instead: see pinned.ts.
module capi-proxmox-talos/providers

go 1.22

require (
	github.com/ionos-cloud/cluster-api-provider-proxmox v0.9.0 // crds: config/crd/bases
	github.com/siderolabs/cluster-api-bootstrap-provider-talos v0.6.12 // crds: config/crd/bases
	github.com/siderolabs/cluster-api-control-plane-provider-talos v0.5.13 // crds: config/crd/bases
	sigs.k8s.io/cluster-api v1.14.2 // crds: core/config/crd/bases
)

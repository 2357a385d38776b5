// End-to-end scenarios: the real CAPI core, CAPMOX, CABPT, CACPPT and in-cluster IPAM managers
// reconcile what capi-proxmox-talos renders, against envtest API servers, the Proxmox simulator
// (proxmoxsim) and the Talos API simulator (talossim). See docs/e2e.md.
package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/capi-proxmox-talos/e2e/harness"
	"github.com/capi-proxmox-talos/e2e/proxmoxsim"
)

var (
	mgmt    *harness.Management
	pve     *proxmoxsim.Sim
	fleet   *harness.Fleet
	fluxCtl *harness.Flux // the Flux controllers and the Git server every scenario delivers through
)

// Proxmox nodes and templates of the simulated datacenter. Template 100 is the default
// (spec.proxmox.template); 200 has its boot disk on scsi0, for the fault scenario.
func newProxmox() *proxmoxsim.Sim {
	s := proxmoxsim.New("venus", "mars", "jupiter")
	s.AddTemplate("venus", 100, "talos-nocloud", "virtio0")
	s.AddTemplate("mars", 150, "talos-nocloud-gpu", "virtio0")
	s.AddTemplate("venus", 200, "talos-nocloud-scsi", "scsi0")
	return s
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctrllog.SetLogger(logr.Discard()) // envtest logs through controller-runtime; keep test output readable
	ctx := context.Background()
	pve = newProxmox()
	pve.Start()
	defer pve.Close()
	var err error
	mgmt, err = harness.StartManagement(ctx, pve.URL())
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: cannot start the management cluster:", err)
		return 1
	}
	defer mgmt.Stop()
	if fluxCtl, err = harness.StartFlux(ctx, mgmt); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: cannot start Flux:", err)
		return 1
	}
	defer fluxCtl.Stop()
	fleet = harness.NewFleet(mgmt, pve)
	defer fleet.Stop()
	return m.Run()
}

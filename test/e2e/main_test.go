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

// The simulated datacenter: four Proxmox nodes, node-local storage (local for ISOs, local-lvm for
// disks), a Ceph pool for disks and an NFS share for ISOs that every node but pluto reaches; pluto is small, and someone else's VM holds
// most of its memory (the out-of-memory fault). Templates, each holding a Talos version as a disk
// image or as the installer ISO:
//
//	100 venus local-lvm virtio0  v1.11.1 disk image    the default (spec.proxmox.template)
//	110 venus local-lvm virtio0  v1.12.0 disk image    TestTalosUpgrade's target
//	130 venus local-lvm virtio0  v1.13.0 disk image    TestTalosContract114's start
//	140 venus local-lvm virtio0  v1.14.2 disk image    TestTalosContract114's target
//	150 mars  local-lvm virtio0  v1.11.1 disk image    a pool on another node (TestHighlyAvailable)
//	200 venus local-lvm scsi0    v1.11.1 installer ISO boot disk on scsi0 (TestFaultBootDeviceMissing)
//	300 venus ceph      virtio0  v1.11.1 installer ISO (on nfs-iso) shared: clones go to any node (TestCoverage)
//	400 pluto local-lvm virtio0  v1.11.1 disk image    the small node (faults)
func newProxmox() *proxmoxsim.Sim {
	bridges := []string{"vmbr0", "vmbr1"}
	s := proxmoxsim.New(proxmoxsim.Options{
		TokenID: harness.CAPMOXToken, TokenSecret: harness.CAPMOXSecret,
		Nodes: []proxmoxsim.Node{
			{Name: "venus", Memory: 512 * proxmoxsim.GiB, CPUs: 64, Bridges: bridges},
			{Name: "mars", Memory: 256 * proxmoxsim.GiB, CPUs: 64, Bridges: bridges},
			{Name: "jupiter", Memory: 256 * proxmoxsim.GiB, CPUs: 64, Bridges: bridges},
			{Name: "pluto", Memory: 24 * proxmoxsim.GiB, CPUs: 16, Bridges: []string{"vmbr0"}},
		},
		Storages: append(proxmoxsim.DefaultStorages(),
			proxmoxsim.Storage{ID: "ceph", Type: "rbd", Content: []string{"images"}, Shared: true, Nodes: []string{"venus", "mars", "jupiter"}},
			proxmoxsim.Storage{ID: "nfs-iso", Type: "nfs", Content: []string{"iso"}, Shared: true, Nodes: []string{"venus", "mars", "jupiter"}}),
	})
	image := func(v string) proxmoxsim.TalosOS { return proxmoxsim.TalosOS{Version: v} }
	iso := func(v string) proxmoxsim.TalosOS { return proxmoxsim.TalosOS{Version: v, Installer: true} }
	for _, t := range []proxmoxsim.Template{
		{Node: "venus", ID: 100, Name: "talos-v1.11.1-nocloud", BootDisk: "virtio0", Talos: image("v1.11.1")},
		{Node: "venus", ID: 110, Name: "talos-v1.12.0-nocloud", BootDisk: "virtio0", Talos: image("v1.12.0")},
		{Node: "venus", ID: 130, Name: "talos-v1.13.0-nocloud", BootDisk: "virtio0", Talos: image("v1.13.0")},
		{Node: "venus", ID: 140, Name: "talos-v1.14.2-nocloud", BootDisk: "virtio0", Talos: image("v1.14.2")},
		{Node: "mars", ID: 150, Name: "talos-v1.11.1-nocloud-gpu", BootDisk: "virtio0", Talos: image("v1.11.1")},
		{Node: "venus", ID: 200, Name: "talos-v1.11.1-iso-scsi", BootDisk: "scsi0", Talos: iso("v1.11.1")},
		{Node: "venus", ID: 300, Name: "talos-v1.11.1-iso-shared", Storage: "ceph", ISOStorage: "nfs-iso", BootDisk: "virtio0", Talos: iso("v1.11.1")},
		{Node: "pluto", ID: 400, Name: "talos-v1.11.1-nocloud", BootDisk: "virtio0", Talos: image("v1.11.1")},
	} {
		s.AddTemplate(t)
	}
	s.AddVM("pluto", 450, "backup-server", 16*1024, true)
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

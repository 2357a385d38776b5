package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/capi-proxmox-talos/e2e/harness"
)

// TestCoverage: one cluster that sets what no other scenario does, each asserted where it arrives: in
// the config the node booted (NTP, registry mirrors, the patch, kernel arguments in effect), on the
// workload Node (labels, taints), on the VM (VLAN, an extra NIC on another bridge with an address from a
// pool the user created), on the management cluster (the health check, the autoscaling bounds). It has
// no vmIDRange, so CAPMOX takes Proxmox's next free ID (/cluster/nextid), and three allowed nodes, so
// CAPMOX's scheduler chooses: the template (300) is on shared storage and boots the installer ISO, so
// clones go to any node and the nodes install talosImage (which is what applies the kernel arguments).
func TestCoverage(t *testing.T) {
	t.Parallel()
	s := NewScenario(t, "e2e-cov", "127.0.19")
	s.AllowedNodes, s.Template, s.TemplateTalos, s.NoVMIDRange = []string{"venus", "mars", "jupiter"}, "venus/300", "v1.11.1", true
	s.ProxmoxExtra = `    vm:
      vlan: 42
      extraNetworkDevices:
      - bridge: vmbr1
        vlan: 43
        ipPool: {kind: InClusterIPPool, name: e2e-cov-storage}
`
	spec := s.SpecCP(`    vipDeviceSelector: {busPath: "0000:00:12.0"}
`, `  workers:
  - name: edge
    autoscaling: {minReplicas: 2, maxReplicas: 3}
    labels: {example.com/tier: edge}
    taints: [{key: example.com/dedicated, value: edge, effect: NoSchedule}]
    healthCheck: {}
    patches:
    - machine: {sysctls: {vm.max_map_count: "262144"}}
  talos:
    ntpServers: [time.example.com]
    registryMirrors:
      docker.io: [https://mirror.example/v2/docker.io]
    kernelArgs: [console=ttyS1]
`)
	s.createPool("e2e-cov-storage", s.Net+".201-"+s.Net+".210")
	s.Apply(spec)
	s.up(3, 1, 8*time.Minute)
	s.checkLastPlan() // Flux created exactly the plan's objects (the pool, its health check, the NIC's pool ref ...)

	vms := s.VMs()
	if len(vms) != 3 {
		t.Fatalf("%d VMs, want 3", len(vms))
	}
	w := fleet.Workload(s.Name)
	nodes := s.workloadNodes()
	pms := map[string]unstructured.Unstructured{}
	for _, pm := range s.List(gvkPMachine) {
		pms[pm.GetName()] = pm
	}
	placed := map[string][]string{}
	for _, vm := range vms {
		// No vmIDRange: the IDs are Proxmox's next free ones (the lowest unused from 100), not a range's.
		if vm.ID >= 1000 {
			t.Errorf("VM %s has ID %d: without a vmIDRange CAPMOX takes Proxmox's next free ID (below the scenarios' ranges)", vm.Name(), vm.ID)
		}
		if !slices.Contains(s.AllowedNodes, vm.Node) {
			t.Errorf("VM %s on %s, outside the allowed nodes", vm.Name(), vm.Node)
		}
		if pm, ok := pms[vm.Name()]; ok {
			if node, _, _ := unstructured.NestedString(pm.Object, "status", "proxmoxNode"); node != vm.Node {
				t.Errorf("ProxmoxMachine %s says node %q, the VM is on %s", vm.Name(), node, vm.Node)
			}
		}
		placed[vm.Node] = append(placed[vm.Node], strings.TrimPrefix(vm.Name(), s.Name+"-"))
		// VLAN on net0, the extra NIC on vmbr1 with its own VLAN.
		if !strings.Contains(vm.Config["net0"], ",bridge=vmbr0") || !strings.HasSuffix(vm.Config["net0"], ",tag=42") {
			t.Errorf("VM %s net0 %q: want vmbr0 with VLAN 42", vm.Name(), vm.Config["net0"])
		}
		if !strings.HasPrefix(vm.Config["net1"], "virtio=") || !strings.Contains(vm.Config["net1"], ",bridge=vmbr1") || !strings.HasSuffix(vm.Config["net1"], ",tag=43") {
			t.Errorf("VM %s net1 %q: want a virtio NIC on vmbr1 with VLAN 43", vm.Name(), vm.Config["net1"])
		}
		if vm.Linked || !strings.HasPrefix(vm.Config["virtio0"], fmt.Sprintf("ceph:vm-%d-disk-0", vm.ID)) {
			t.Errorf("VM %s disk %q linked=%v: want a full clone on the template's shared storage", vm.Name(), vm.Config["virtio0"], vm.Linked)
		}
	}
	// The scheduler chose among the nodes: the two workers are spread (CAPMOX places a pool's machines
	// round-robin while memory allows).
	var workerNodes []string
	for _, vm := range vms {
		if strings.HasPrefix(vm.Name(), s.Name+"-edge-") {
			workerNodes = append(workerNodes, vm.Node)
		}
	}
	if len(workerNodes) != 2 || workerNodes[0] == workerNodes[1] {
		t.Errorf("workers on %v: want two nodes (placement %v)", workerNodes, placed)
	}
	var nextID, target int
	for _, r := range pve.Log() {
		if r.Path == "/cluster/nextid" && r.Query == "" && r.Status == 200 {
			nextID++
		}
		if strings.HasSuffix(r.Path, "/clone") && strings.HasPrefix(r.Params["name"], s.Name+"-") && r.Params["target"] != "" && r.Params["target"] != "venus" {
			target++
		}
	}
	if nextID < 3 {
		t.Errorf("%d calls of /cluster/nextid without a vmid: CAPMOX without a range asks Proxmox for the next ID", nextID)
	}
	t.Logf("placement %v; %d clones to another node than the template's", placed, target)

	for _, b := range w.Boots() {
		cp := b.ControlPlane
		cfg := b.Loaded
		if b.Failed != nil || cfg == nil {
			t.Fatalf("VM %d did not boot: %v", b.VMID, b.Failed)
		}
		// From the installer ISO: it installed talosImage, with the kernel arguments.
		if b.Installed != defaultImage || b.TalosVersion != "v1.11.1" || !slices.Contains(b.KernelArgs, "console=ttyS1") {
			t.Errorf("VM %d installed %q (Talos %s, kernel args %v): want talosImage with console=ttyS1", b.VMID, b.Installed, b.TalosVersion, b.KernelArgs)
		}
		if got := cfg.NetworkTimeSyncConfig().Servers(); fmt.Sprint(got) != "[time.example.com]" {
			t.Errorf("VM %d NTP servers %v", b.VMID, got)
		}
		mirror, ok := cfg.RegistryMirrorConfigs()["docker.io"]
		if !ok || len(mirror.Endpoints()) != 1 || mirror.Endpoints()[0].Endpoint() != "https://mirror.example/v2/docker.io" {
			t.Errorf("VM %d docker.io mirror %v", b.VMID, mirror)
		}
		if got := cfg.SysctlConfig()["vm.max_map_count"]; (got == "262144") == cp {
			t.Errorf("VM %d (control plane %v): vm.max_map_count %q; the patch is the pool's only", b.VMID, cp, got)
		}
		// The extra NIC's address comes from the user's pool, net0's from the cluster's.
		if len(b.Addresses) != 2 || s.inRange(b.Addresses[0]) != nil || !inPool(b.Addresses[1], s.Net+".201", s.Net+".210") {
			t.Errorf("VM %d addresses %v: want net0 in the cluster's range and net1 from e2e-cov-storage", b.VMID, b.Addresses)
		}
		n := nodes[b.Hostname]
		hasTaint := slices.ContainsFunc(n.Spec.Taints, func(t corev1.Taint) bool {
			return t.Key == "example.com/dedicated" && t.Value == "edge" && t.Effect == corev1.TaintEffectNoSchedule
		})
		if (n.Labels["example.com/tier"] == "edge") == cp || hasTaint == cp {
			t.Errorf("Node %s (control plane %v): labels %v taints %v; the pool's label and taint belong on its workers only", n.Name, cp, n.Labels, n.Spec.Taints)
		}
	}

	// The health check watches the pool; autoscaling bounds are annotations, and CAPI starts the pool at
	// its minimum.
	var mhcs []unstructured.Unstructured
	s.WaitFor("the MachineHealthCheck sees two healthy workers", 2*time.Minute, func() (bool, string) {
		mhcs = s.List(gvk("cluster.x-k8s.io", "v1beta2", "MachineHealthCheck"))
		if len(mhcs) != 1 {
			return false, fmt.Sprintf("%d MachineHealthChecks", len(mhcs))
		}
		exp, _, _ := unstructured.NestedInt64(mhcs[0].Object, "status", "expectedMachines")
		healthy, _, _ := unstructured.NestedInt64(mhcs[0].Object, "status", "currentHealthy")
		return exp == 2 && healthy == 2, fmt.Sprintf("expectedMachines %d currentHealthy %d", exp, healthy)
	})
	mds := s.List(gvkMD)
	if len(mds) != 1 {
		t.Fatalf("%d MachineDeployments", len(mds))
	}
	ann := mds[0].GetAnnotations()
	replicas, _, _ := unstructured.NestedInt64(mds[0].Object, "spec", "replicas")
	if ann["cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size"] != "2" || ann["cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size"] != "3" || replicas != 2 {
		t.Errorf("MachineDeployment annotations %v replicas %d: want autoscaler bounds 2..3 and 2 replicas", ann, replicas)
	}
	s.deleteCluster()
}

func inPool(addr, lo, hi string) bool {
	a, err := netip.ParseAddr(addr)
	return err == nil && !a.Less(netip.MustParseAddr(lo)) && !netip.MustParseAddr(hi).Less(a)
}

// createPool creates the namespace and an InClusterIPPool in it, as the user does for an extra NIC.
func (s *Scenario) createPool(name, addresses string) {
	s.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: s.Name}}
	switch err := mgmt.Client.Create(ctx, ns); {
	case err == nil:
		// the render's Namespace, made before Flux applied it: the first commit's plan says "created"
		s.outsideGit = append(s.outsideGit, harness.ObjRef{Kind: "Namespace", Name: s.Name})
	case !strings.Contains(err.Error(), "already exists"):
		s.T.Fatal(err)
	}
	pool := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "ipam.cluster.x-k8s.io/v1alpha2", "kind": "InClusterIPPool",
		"metadata": map[string]any{"name": name, "namespace": s.Name},
		"spec":     map[string]any{"addresses": []any{addresses}, "prefix": int64(24), "gateway": s.Net + ".1"},
	}}
	if err := mgmt.Client.Create(ctx, pool); err != nil {
		s.T.Fatalf("creating the InClusterIPPool %s: %v", name, err)
	}
	s.T.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = mgmt.Client.Delete(ctx, pool, client.PropagationPolicy("Background"))
	})
}

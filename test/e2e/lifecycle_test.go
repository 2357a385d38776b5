package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/capi-proxmox-talos/e2e/harness"
	"github.com/capi-proxmox-talos/e2e/proxmoxsim"
)

// defaultImage: the Talos image the scenarios run unless they set their own (see withVersions).
const defaultImage = "factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b:v1.11.1"

// vmShape is what a VM must look like in the simulator.
type vmShape struct {
	template                 int
	node                     string
	sockets, cores, memory   string
	bootDisk, diskSize, net0 string
}

func checkVM(t *testing.T, vm *proxmoxsim.VM, want vmShape) {
	t.Helper()
	got := vmShape{template: vm.ClonedFrom, node: vm.Node, sockets: vm.Config["sockets"], cores: vm.Config["cores"],
		memory: vm.Config["memory"], bootDisk: want.bootDisk, diskSize: proxmoxsim.DiskSize(vm, want.bootDisk), net0: vm.Config["net0"]}
	if got != want {
		t.Errorf("VM %d (%s):\n got  %+v\n want %+v", vm.ID, vm.Name(), got, want)
	}
}

// inRange checks an address against the scenario's machine range (.101-.120) and endpoint.
func (s *Scenario) inRange(addr string) error {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return err
	}
	lo, hi := netip.MustParseAddr(s.Net+".101"), netip.MustParseAddr(s.Net+".120")
	if a == netip.MustParseAddr(s.Net+".100") {
		return fmt.Errorf("%s is the control-plane endpoint", addr)
	}
	if a.Less(lo) || hi.Less(a) {
		return fmt.Errorf("%s is outside %s-%s", addr, lo, hi)
	}
	return nil
}

// bootConfig returns the Talos config a Machine's bootstrap Secret holds.
func (s *Scenario) bootConfig(m *unstructured.Unstructured) string {
	s.T.Helper()
	name, _, _ := unstructured.NestedString(m.Object, "spec", "bootstrap", "dataSecretName")
	sec := &corev1.Secret{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := mgmt.Client.Get(ctx, client.ObjectKey{Namespace: s.Name, Name: name}, sec); err != nil {
		s.T.Fatalf("bootstrap Secret of %s: %v", m.GetName(), err)
	}
	return string(sec.Data["value"])
}

// talosDoc parses the v1alpha1 document of a Talos machine config.
func talosDoc(t *testing.T, cfg string) map[string]any {
	t.Helper()
	docs, err := harness.ReadYAMLDocs([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		m := map[string]any{}
		_ = yaml.Unmarshal(d, &m)
		if m["version"] == "v1alpha1" {
			return m
		}
	}
	t.Fatalf("no v1alpha1 document in:\n%s", cfg)
	return nil
}

func str(m map[string]any, path ...string) string {
	v, _, _ := unstructured.NestedFieldNoCopy(m, path...)
	return fmt.Sprint(v)
}

// TestLifecycle: the default cluster (1 control plane, pool "worker" of 1) is created by the
// real controllers; then day-2 edits; then Flux prunes it and every VM goes away.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	s := NewScenario(t, "e2e-life", "127.0.10")
	spec := s.Spec("")
	s.Apply(spec)

	if !s.Step("create", func(t *testing.T) {
		s.up(2, 1, 6*time.Minute)

		vms := s.VMs()
		if len(vms) != 2 {
			t.Fatalf("want 2 VMs, got %d", len(vms))
		}
		w := fleet.Workload(s.Name)
		boots := map[int]*harness.Boot{}
		for _, b := range w.Boots() {
			boots[b.VMID] = b
		}
		for _, vm := range vms {
			cp := strings.HasPrefix(vm.Name(), s.Name+"-control-plane-")
			size := "140G"
			if cp {
				size = "40G"
			}
			checkVM(t, vm, vmShape{template: 100, node: "venus", sockets: "4", cores: "4", memory: "16384",
				bootDisk: "virtio0", diskSize: size, net0: vm.Config["net0"]})
			if !strings.HasPrefix(vm.Config["net0"], "virtio=") || !strings.Contains(vm.Config["net0"], "bridge=vmbr0") {
				t.Errorf("VM %s net0 = %q, want a virtio NIC on vmbr0", vm.Name(), vm.Config["net0"])
			}
			b := boots[vm.ID]
			if b == nil {
				t.Fatalf("VM %s never booted", vm.Name())
			}
			if err := s.inRange(b.Address); err != nil {
				t.Errorf("VM %s address: %v", vm.Name(), err)
			}
			if b.ControlPlane != cp {
				t.Errorf("VM %s booted a %v config", vm.Name(), map[bool]string{true: "control-plane", false: "worker"}[b.ControlPlane])
			}
		}
		for _, m := range s.List(gvkMachine) {
			m := m
			cfg := s.bootConfig(&m)
			var booted *harness.Boot
			pid, _, _ := unstructured.NestedString(m.Object, "spec", "providerID")
			for _, b := range boots {
				if "proxmox://"+b.UUID == pid {
					booted = b
				}
			}
			if booted == nil {
				t.Fatalf("Machine %s: providerID %q matches no VM", m.GetName(), pid)
			}
			if booted.Config != cfg {
				t.Errorf("Machine %s: the VM did not boot the bootstrap Secret's Talos config", m.GetName())
			}
			doc := talosDoc(t, cfg)
			if got := str(doc, "machine", "install", "disk"); got != "/dev/vda" {
				t.Errorf("Machine %s: install disk %s", m.GetName(), got)
			}
			if got := str(doc, "machine", "install", "image"); got != defaultImage {
				t.Errorf("Machine %s: install image %s", m.GetName(), got)
			}
			if booted.ControlPlane {
				ifaces, _, _ := unstructured.NestedSlice(doc, "machine", "network", "interfaces")
				if len(ifaces) != 1 || str(ifaces[0].(map[string]any), "vip", "ip") != s.Net+".100" {
					t.Errorf("control plane %s: VIP patch missing: %v", m.GetName(), ifaces)
				}
			}
			nodeRef, _, _ := unstructured.NestedString(m.Object, "status", "nodeRef", "name")
			if nodeRef != booted.Hostname {
				t.Errorf("Machine %s: nodeRef %q, want the Node %q its VM registered", m.GetName(), nodeRef, booted.Hostname)
			}
		}
		var bootstraps []string
		for _, c := range succeeded(talosCalls(w, "Bootstrap")) {
			bootstraps = append(bootstraps, strings.Join(c.Targets, ","))
		}
		if len(bootstraps) != 1 {
			t.Errorf("CACPPT bootstrapped etcd %d times (%v), want once", len(bootstraps), bootstraps)
		}
		// CACPPT's auditEtcd removes every etcd member whose hostname matches no control-plane Machine's
		// HostName address, which CAPMOX sets to the ProxmoxMachine name. With hostname.source MachineName
		// (the render before 2026-11-25) it removed the member after every bootstrap; the render now names
		// control-plane nodes after their infrastructure machine, so no member may be removed.
		removals := etcdRemovals(w)
		if len(removals) != 0 {
			t.Errorf("CACPPT removed etcd members of a healthy control plane: %v (members now %v)", removals, w.Talos.Members())
		}
		// What booted: template 100 holds a Talos v1.11.1 disk image; the kubelet runs the config's v1.32.0.
		s.assertBooted(t, "v1.11.1", "v1.32.0")
		for _, b := range w.Boots() {
			if b.Installed != "" {
				t.Errorf("VM %d installed %s: a node booted from an installed disk image installs nothing", b.VMID, b.Installed)
			}
		}
		t.Logf("etcd members after create: %v; removals: %v", w.Talos.Members(), removals)
		s.checkLastPlan()
	}) {
		return
	}

	if !s.Step("scale a pool", func(t *testing.T) {
		before := templateNames(s.List(gvkPMT))
		oldVMs := s.uuids("")
		s.Apply(s.Spec("  workers:\n  - name: worker\n    replicas: 2\n"))
		s.WaitFor("3 Machines Running", 5*time.Minute, func() (bool, string) { return s.MachinesRunning(3) })
		after := templateNames(s.List(gvkPMT))
		if before != after {
			t.Errorf("scaling changed the machine templates: %s -> %s", before, after)
		}
		s.untouched(oldVMs, "scaling")
		if n := len(s.VMs()); n != 3 {
			t.Errorf("%d VMs after scaling to 2 workers, want 3", n)
		}
		s.checkLastPlan()
	}) {
		return
	}

	if !s.Step("resize a pool", func(t *testing.T) {
		// VMs are told apart by their SMBIOS UUID (the providerID): Proxmox hands a deleted VM's ID
		// to the next clone, and so does the simulator.
		oldWorkers := s.uuids("worker-")
		s.Apply(s.Spec("  workers:\n  - name: worker\n    replicas: 2\n    cores: 8\n"))
		s.replaced("the pool rolled to 8 cores", 3, 1, oldWorkers, 6*time.Minute)
		var fresh []*proxmoxsim.VM
		for _, v := range s.VMs() {
			if strings.HasPrefix(v.Name(), s.Name+"-worker-") {
				fresh = append(fresh, v)
				checkVM(t, v, vmShape{template: 100, node: "venus", sockets: "4", cores: "8", memory: "16384",
					bootDisk: "virtio0", diskSize: "140G", net0: v.Config["net0"]})
			}
		}
		if len(fresh) != 2 {
			t.Fatalf("%d worker VMs after the rollout, want 2", len(fresh))
		}
		// maxSurge 1, maxUnavailable 0: the k-th old VM is deleted only after k new VMs started.
		s.surgeFirst(oldWorkers, "worker-")
		s.checkLastPlan()
	}) {
		return
	}

	s.Step("delete", func(t *testing.T) {
		before := s.VMs()
		// The user removes the cluster's folder (render.sh --allow-cluster-deletion drops its
		// render). The gate, run in CI against the revision Flux applied last, refuses it; the plan
		// says so and names what goes.
		c := s.commitDeletion("delete the cluster", false)
		if c.gateExit == 0 {
			t.Errorf("the gate let a commit that deletes Cluster %s through:\n%s", s.Name, c.gateOut)
		} else if !strings.Contains(c.gateOut, s.Name) {
			t.Errorf("the gate refused the deletion without naming the cluster:\n%s", c.gateOut)
		}
		if c.plan != nil && !c.plan.Refused {
			t.Errorf("the plan of a commit that deletes the cluster is not refused: %s", c.plan.Summary())
		}
		t.Logf("the gate refused (exit %d):\n%s", c.gateExit, c.gateOut)
		// The same commit pushed past the gate: real Flux prunes everything it applied except the
		// Namespace (prune: disabled), and the controllers delete every VM.
		s.push(c)
		s.WaitFor("every VM deleted and the Cluster gone", 5*time.Minute, func() (bool, string) {
			vms := s.VMs()
			_, err := s.Get(gvkCluster, s.Name)
			ms := s.List(gvkMachine)
			return len(vms) == 0 && err != nil && len(ms) == 0, fmt.Sprintf("%d VMs, %d Machines, Cluster get: %v", len(vms), len(ms), err)
		})
		deleted := map[string]bool{}
		for _, v := range pve.Deleted() {
			deleted[v.UUID()] = true
		}
		for _, v := range before {
			if !deleted[v.UUID()] {
				t.Errorf("VM %d (%s) vanished without a DELETE", v.ID, v.Name())
			}
		}
		s.checkPlan(c)
		fleet.Forget(s.Name)
	})
}

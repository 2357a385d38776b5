package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/capi-proxmox-talos/e2e/harness"
)

// Day-2 scenarios: each edits a running cluster's spec as a user would in Git, applies the new
// render as Flux does (pruning what left it), and checks that the real controllers roll out what
// the README's change-impact table and `diff` promise. They run in parallel with each other and
// with TestLifecycle (each has its own cluster, namespace and 127.0.N.0/24).

func machineVersions(ms []unstructured.Unstructured) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		v, _, _ := unstructured.NestedString(m.Object, "spec", "version")
		out[m.GetName()] = v
	}
	return out
}

// TestKubernetesUpgrade: kubernetesVersion v1.32.0 → v1.33.4 changes only the version of the
// TalosControlPlane and the MachineDeployment (no template), and every machine is replaced: the
// control plane first (surge: the new one joins etcd before the old one leaves), then the
// workers, which CAPI's MachineSet preflight checks hold back while the control plane upgrades.
func TestKubernetesUpgrade(t *testing.T) {
	t.Parallel()
	s := NewScenario(t, "e2e-k8s", "127.0.13")
	s.Apply(s.Spec(""))
	s.up(2, 1, 6*time.Minute)
	templates := templateNames(s.List(gvkPMT)) + ";" + templateNames(s.List(gvkTCT))
	old, oldCP, oldWorkers := s.uuids(""), s.uuids("control-plane-"), s.uuids("worker-")

	s.Apply(s.Spec("  cluster:\n    kubernetesVersion: v1.33.4\n"))
	s.replaced("every machine replaced by a v1.33.4 one", 2, 1, old, 8*time.Minute)
	s.checkLastPlan()

	for name, v := range machineVersions(s.List(gvkMachine)) {
		if v != "v1.33.4" {
			t.Errorf("Machine %s: version %q after the upgrade, want v1.33.4", name, v)
		}
	}
	if got := templateNames(s.List(gvkPMT)) + ";" + templateNames(s.List(gvkTCT)); got != templates {
		t.Errorf("a Kubernetes upgrade changed the templates: %s -> %s", templates, got)
	}
	s.surgeFirst(oldCP, "control-plane-")
	s.surgeFirst(oldWorkers, "worker-")
	// Control plane first: the new worker VM starts only after the new control plane VM did.
	var cpStart, wStart time.Time
	for uuid, v := range s.uuids("control-plane-") {
		if oldCP[uuid] == nil {
			cpStart = v.Started
		}
	}
	for uuid, v := range s.uuids("worker-") {
		if oldWorkers[uuid] == nil {
			wStart = v.Started
		}
	}
	if !cpStart.Before(wStart) {
		t.Errorf("the new worker started at %s, before the new control plane (%s)", wStart.Format(time.StampMilli), cpStart.Format(time.StampMilli))
	}
	w := fleet.Workload(s.Name)
	if m := w.Talos.Members(); len(m) != 1 {
		t.Errorf("etcd members after the upgrade: %v, want the new control plane only", m)
	}
	if counts := w.Talos.MemberCounts(); len(counts) < 3 || counts[1] != 2 {
		t.Errorf("etcd member counts %v: the new control plane must join before the old one leaves (1, 2, 1)", counts)
	}
	t.Logf("control plane VM started %s, worker VM started %s; etcd member counts %v", cpStart.Format(time.StampMilli), wStart.Format(time.StampMilli), w.Talos.MemberCounts())
	s.deleteCluster()
}

// TestTalosUpgrade: talosImage v1.11.1 → v1.12.0 gives the pool a new TalosConfigTemplate (the
// old one leaves the render and is pruned) and changes the TalosControlPlane's config; the
// machine templates stay; every machine is replaced and boots the v1.12 installer, with the VIP
// in the form Talos v1.12 documents (a Layer2VIPConfig document, no machine.network VIP).
func TestTalosUpgrade(t *testing.T) {
	t.Parallel()
	s := NewScenario(t, "e2e-talos", "127.0.14")
	s.Apply(s.Spec(""))
	s.up(2, 1, 6*time.Minute)
	pmts, tcts := templateNames(s.List(gvkPMT)), templateNames(s.List(gvkTCT))
	old := s.uuids("")

	image := strings.TrimSuffix(defaultImage, ":v1.11.1") + ":v1.12.0"
	s.Apply(s.Spec("  cluster:\n    talosImage: " + image + "\n"))
	s.replaced("every machine replaced", 2, 1, old, 8*time.Minute)

	if got := templateNames(s.List(gvkPMT)); got != pmts {
		t.Errorf("a Talos upgrade changed the machine templates: %s -> %s", pmts, got)
	}
	if got := templateNames(s.List(gvkTCT)); got == tcts || strings.Contains(got, tcts) {
		t.Errorf("TalosConfigTemplates %s -> %s: want a new one and the old one pruned", tcts, got)
	}
	for _, m := range s.List(gvkMachine) {
		m := m
		cfg := s.bootConfig(&m)
		doc := talosDoc(t, cfg)
		if got := str(doc, "machine", "install", "image"); got != image {
			t.Errorf("Machine %s: install image %s, want %s", m.GetName(), got, image)
		}
		if _, cp := m.GetLabels()["cluster.x-k8s.io/control-plane"]; !cp {
			continue
		}
		if ifaces, _, _ := unstructured.NestedSlice(doc, "machine", "network", "interfaces"); len(ifaces) != 0 {
			t.Errorf("control plane %s: machine.network.interfaces %v on Talos v1.12, want the VIP as a Layer2VIPConfig", m.GetName(), ifaces)
		}
		if !hasDoc(t, cfg, "Layer2VIPConfig", s.Net+".100") {
			t.Errorf("control plane %s: no Layer2VIPConfig named %s.100 in its Talos config:\n%s", m.GetName(), s.Net, cfg)
		}
	}
	s.surgeFirst(old, "")
	s.checkLastPlan()
	s.deleteCluster()
}

// hasDoc reports whether a multi-document Talos config holds a document of kind with that name.
func hasDoc(t *testing.T, cfg, kind, name string) bool {
	t.Helper()
	docs, err := harness.ReadYAMLDocs([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		var doc struct{ Kind, Name string }
		if err := yaml.Unmarshal(d, &doc); err == nil && doc.Kind == kind && doc.Name == name {
			return true
		}
	}
	return false
}

// TestHighlyAvailable: 3 control planes and 2 pools (one on another node and template) come up;
// then a pool is removed, a pool is added, and the control plane is resized, one machine at a
// time, never below 3 etcd members.
func TestHighlyAvailable(t *testing.T) {
	t.Parallel()
	s := NewScenario(t, "e2e-ha", "127.0.15")
	const cp3 = "    replicas: 3\n"
	general := "  - name: general\n    replicas: 2\n"
	gpu := "  - name: gpu\n    replicas: 1\n    cores: 8\n    allowedNodes: [mars]\n    template: {sourceNode: mars, templateID: 150}\n"
	s.Apply(s.SpecCP(cp3, "  workers:\n"+general+gpu))

	if !s.Step("create", func(t *testing.T) {
		s.up(6, 3, 10*time.Minute)
		counts := map[string]int{}
		for _, vm := range s.VMs() {
			name := strings.TrimPrefix(vm.Name(), s.Name+"-")
			switch {
			case strings.HasPrefix(name, "control-plane-"):
				counts["control-plane"]++
				checkVM(t, vm, vmShape{template: 100, node: "venus", sockets: "4", cores: "4", memory: "16384", bootDisk: "virtio0", diskSize: "40G", net0: vm.Config["net0"]})
			case strings.HasPrefix(name, "general-"):
				counts["general"]++
				checkVM(t, vm, vmShape{template: 100, node: "venus", sockets: "4", cores: "4", memory: "16384", bootDisk: "virtio0", diskSize: "140G", net0: vm.Config["net0"]})
			case strings.HasPrefix(name, "gpu-"):
				counts["gpu"]++
				checkVM(t, vm, vmShape{template: 150, node: "mars", sockets: "4", cores: "8", memory: "16384", bootDisk: "virtio0", diskSize: "140G", net0: vm.Config["net0"]})
			default:
				t.Errorf("VM %s belongs to no pool", vm.Name())
			}
		}
		if fmt.Sprint(counts) != "map[control-plane:3 general:2 gpu:1]" {
			t.Errorf("VMs per pool: %v", counts)
		}
		addrs := map[string]string{}
		w := fleet.Workload(s.Name)
		for _, b := range w.Boots() {
			if err := s.inRange(b.Address); err != nil {
				t.Errorf("VM %d: %v", b.VMID, err)
			}
			if other, dup := addrs[b.Address]; dup {
				t.Errorf("VMs %s and %s share the address %s", other, b.Hostname, b.Address)
			}
			addrs[b.Address] = b.Hostname
		}
		var cpNames []string
		for _, pm := range s.List(gvkPMachine) {
			if strings.HasPrefix(pm.GetName(), s.Name+"-control-plane-") {
				cpNames = append(cpNames, pm.GetName())
			}
		}
		if got, want := strings.Join(w.Talos.Members(), ","), strings.Join(cpNames, ","); got != want {
			t.Errorf("etcd members %s, want the 3 control planes %s", got, want)
		}
		if r := etcdRemovals(w); len(r) != 0 {
			t.Errorf("CACPPT removed etcd members while creating the cluster: %v", r)
		}
	}) {
		return
	}

	if !s.Step("remove a pool", func(t *testing.T) {
		keep := s.uuids("control-plane-")
		for k, v := range s.uuids("general-") {
			keep[k] = v
		}
		s.ApplyAllowed(s.SpecCP(cp3, "  workers:\n"+general)) // the gate refuses a pool's removal unless allowed
		// The MachineDeployment goes last: its deletion waits for its MachineSets and Machines.
		s.WaitFor("the gpu pool gone", 5*time.Minute, func() (bool, string) {
			ok, msg := s.MachinesRunning(5)
			n := len(s.uuids("gpu-"))
			var left []string
			for _, k := range []schema.GroupVersionKind{gvkMD, gvkPMT, gvkTCT} {
				if names := templateNames(s.List(k)); strings.Contains(names, s.Name+"-gpu") {
					left = append(left, k.Kind+" "+names)
				}
			}
			return ok && n == 0 && len(left) == 0, fmt.Sprintf("%s; %d gpu VMs; left: %v", msg, n, left)
		})
		s.untouched(keep, "removing a pool")
		s.checkLastPlan()
	}) {
		return
	}

	extra := "  - name: extra\n    replicas: 1\n    memoryMiB: 8192\n"
	if !s.Step("add a pool", func(t *testing.T) {
		keep := s.uuids("")
		s.Apply(s.SpecCP(cp3, "  workers:\n"+general+extra))
		s.WaitFor("6 Machines Running", 5*time.Minute, func() (bool, string) { return s.MachinesRunning(6) })
		s.untouched(keep, "adding a pool")
		added := s.uuids("extra-")
		if len(added) != 1 {
			t.Fatalf("%d VMs in the new pool, want 1", len(added))
		}
		for _, vm := range added {
			checkVM(t, vm, vmShape{template: 100, node: "venus", sockets: "4", cores: "4", memory: "8192", bootDisk: "virtio0", diskSize: "140G", net0: vm.Config["net0"]})
		}
		s.checkLastPlan()
	}) {
		return
	}

	if !s.Step("resize the control plane", func(t *testing.T) {
		oldCP, workers := s.uuids("control-plane-"), s.uuids("")
		for k := range oldCP {
			delete(workers, k)
		}
		w := fleet.Workload(s.Name)
		before := len(w.Talos.MemberCounts())
		s.Apply(s.SpecCP(cp3+"    cores: 8\n", "  workers:\n"+general+extra))
		s.replaced("every control plane replaced", 6, 3, oldCP, 10*time.Minute)
		s.untouched(workers, "resizing the control plane")
		for uuid, vm := range s.uuids("control-plane-") {
			if oldCP[uuid] != nil {
				continue
			}
			checkVM(t, vm, vmShape{template: 100, node: "venus", sockets: "4", cores: "8", memory: "16384", bootDisk: "virtio0", diskSize: "40G", net0: vm.Config["net0"]})
		}
		s.surgeFirst(oldCP, "control-plane-")
		counts := w.Talos.MemberCounts()[before:]
		for _, c := range counts {
			if c < 3 {
				t.Errorf("etcd went down to %d members during the roll (counts %v): one control plane at a time, surge first", c, counts)
				break
			}
		}
		if m := w.Talos.Members(); len(m) != 3 {
			t.Errorf("etcd members after the roll: %v, want 3", m)
		}
		t.Logf("etcd member counts during the roll: %v", counts)
		s.checkLastPlan()
	}) {
		return
	}
	s.deleteCluster()
}

package e2e

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/capi-proxmox-talos/e2e/harness"
)

// Day-2 scenarios: each edits a running cluster's spec as a user would in Git, commits it through the
// gate to real Flux (which prunes what left the render), and checks that the real controllers roll out
// what the change-impact table of docs/day-2.md and the plan printed before the commit promise. They run in parallel with each other and
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
//
// A fault on the way: the new control plane's etcd member never catches up (it stays a learner, so
// its etcd is unhealthy). What the user sees: the TalosControlPlane's EtcdClusterHealthy condition names
// the machine; the old control plane and its etcd member stay (the rollout waits, quorum is kept).
// When the member catches up, the rollout completes.
func TestKubernetesUpgrade(t *testing.T) {
	t.Parallel()
	s := NewScenario(t, "e2e-k8s", "127.0.13")
	s.Apply(s.Spec(""))
	s.up(2, 1, 6*time.Minute)
	templates := templateNames(s.List(gvkPMT)) + ";" + templateNames(s.List(gvkTCT))
	old, oldCP, oldWorkers := s.uuids(""), s.uuids("control-plane-"), s.uuids("worker-")
	w := fleet.Workload(s.Name)
	oldMember := w.Talos.Members()

	w.Talos.HoldPromotions(true)
	s.Apply(s.Spec("  cluster:\n    kubernetesVersion: v1.33.4\n"))
	if !s.Step("an etcd member that never becomes healthy", func(t *testing.T) {
		var stuck string
		s.WaitFor("the TalosControlPlane reports the new member's etcd unhealthy", 4*time.Minute, func() (bool, string) {
			learners := w.Talos.Learners()
			if len(learners) != 1 {
				return false, fmt.Sprintf("learners %v", learners)
			}
			stuck = learners[0]
			tcp, err := s.Get(gvkTCP, s.TCPName)
			if err != nil {
				return false, err.Error()
			}
			// CACPPT v0.5.13 names this condition type "EtcdClusterHealthyCondition".
			st, reason, msg := condition(tcp, "EtcdClusterHealthyCondition")
			return st == "False" && strings.Contains(msg, stuck) && strings.Contains(msg, "etcd"), fmt.Sprintf("EtcdClusterHealthy=%s (%s: %s)", st, reason, msg)
		})
		time.Sleep(10 * time.Second) // CACPPT keeps reconciling; nothing may be removed meanwhile
		if m := w.Talos.Members(); len(m) != 2 || !slices.Contains(m, oldMember[0]) {
			t.Errorf("etcd members %v while the new one is a learner: the old member %v must stay", m, oldMember)
		}
		for uuid, v := range oldCP {
			if !s.hasVM(uuid) {
				t.Errorf("the old control plane VM %s was deleted while its replacement's etcd is unhealthy", v.Name())
			}
		}
		for _, c := range talosCalls(w, "EtcdLeaveCluster", "EtcdRemoveMemberByID") {
			if c.Error == "" {
				t.Errorf("an etcd member was removed while the new one could not take over: %+v", c)
			}
		}
		tcp, _ := s.Get(gvkTCP, s.TCPName)
		_, _, msg := condition(tcp, "EtcdClusterHealthyCondition")
		t.Logf("the user sees: TalosControlPlane EtcdClusterHealthy=False: %s", msg)
	}) {
		return
	}
	w.Talos.HoldPromotions(false)
	s.replaced("every machine replaced by a v1.33.4 one", 2, 1, old, 8*time.Minute)
	s.checkLastPlan()

	for name, v := range machineVersions(s.List(gvkMachine)) {
		if v != "v1.33.4" {
			t.Errorf("Machine %s: version %q after the upgrade, want v1.33.4", name, v)
		}
	}
	// What booted: the kubelets of the new nodes run the v1.33.4 kubelet of their config.
	s.assertBooted(t, "v1.11.1", "v1.33.4")
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
	if m := w.Talos.Members(); len(m) != 1 {
		t.Errorf("etcd members after the upgrade: %v, want the new control plane only", m)
	}
	// Voting members after each change: 1 (bootstrap), 1 (+ the learner), 2 (promoted), 1 (the old one
	// left): the old member left only after the new one could vote.
	if got := w.Talos.VotingCounts(); fmt.Sprint(got) != "[1 1 2 1]" {
		t.Errorf("etcd voting members after each change %v (%+v), want [1 1 2 1]", got, w.Talos.History())
	}
	t.Logf("control plane VM started %s, worker VM started %s; etcd history %+v", cpStart.Format(time.StampMilli), wStart.Format(time.StampMilli), w.Talos.History())
	s.deleteCluster()
}

// TestTalosUpgrade: Talos v1.11.1 → v1.12.0, as a user does it and as docs/day-2.md ("Talos upgrades:
// move the VM template too") says to.
//
// First the mistake docs/day-2.md warns about, a fault a user meets: talosImage moves to v1.12.0 and the VM
// template stays (100, a Talos v1.11.1 disk image). CABPT writes a Talos 1.12 config; the new control
// plane and the pool's new machine boot v1.11.1, which does not know the 1.12 documents and refuses the
// config: no Talos API, no Node. What the user sees: Machines that stay Provisioned without a Node, and
// the TalosControlPlane unable to reach one; the old machines keep running (etcd untouched).
//
// Then the fix: the template moves to 110 (Talos v1.12.0) in the same spec, and the Machine whose node
// refused its config is deleted (CACPPT waits on its Talos API until it is gone). Every machine is
// replaced by one that boots v1.12.0, with the VIP in the form Talos v1.12 documents (a Layer2VIPConfig
// document, no machine.network VIP); the machine templates change (new VM template), the pool gets a new
// TalosConfigTemplate and the old ones are pruned.
func TestTalosUpgrade(t *testing.T) {
	t.Parallel()
	s := NewScenario(t, "e2e-talos", "127.0.14")
	s.Apply(s.Spec(""))
	s.up(2, 1, 6*time.Minute)
	pmts, tcts := templateNames(s.List(gvkPMT)), templateNames(s.List(gvkTCT))
	old := s.uuids("")
	w := fleet.Workload(s.Name)
	members := w.Talos.Members()
	image := strings.TrimSuffix(defaultImage, ":v1.11.1") + ":v1.12.0"

	if !s.Step("talosImage alone: the nodes refuse the config", func(t *testing.T) {
		s.Apply(s.Spec("  cluster:\n    talosImage: " + image + "\n"))
		s.WaitFor("the new control plane refused its config", 4*time.Minute, func() (bool, string) { return s.failedBoot("not registered") })
		// CAPMOX finishes provisioning the VM (the Machine gets its providerID); the controllers keep
		// reconciling; nothing old may go meanwhile.
		s.WaitFor("the refusing node's Machine is Provisioned", 2*time.Minute, func() (bool, string) {
			for _, m := range s.List(gvkMachine) {
				m := m
				if b := s.bootOf(&m); b != nil && b.Failed != nil {
					phase, _, _ := unstructured.NestedString(m.Object, "status", "phase")
					return phase == "Provisioned", "its Machine is " + phase
				}
			}
			return false, "no Machine has the refusing VM's providerID yet"
		})
		time.Sleep(10 * time.Second)
		var failed *harness.Boot
		for _, b := range s.bootsOf() {
			if b.Failed != nil {
				failed = b
			}
		}
		if failed.TalosVersion != "v1.11.1" || !strings.Contains(failed.Failed.Error(), "Error loading and validating Talos machine config") {
			t.Errorf("the refusing node: Talos %s, %v", failed.TalosVersion, failed.Failed)
		}
		s.untouched(old, "a Talos upgrade whose nodes refuse the config")
		if m := w.Talos.Members(); fmt.Sprint(m) != fmt.Sprint(members) {
			t.Errorf("etcd members %v, want the old control plane's %v untouched", m, members)
		}
		var stuck []string
		for _, m := range s.List(gvkMachine) {
			m := m
			if b := s.bootOf(&m); b != nil && b.Failed != nil {
				stuck = append(stuck, m.GetName())
				if phase, _, _ := unstructured.NestedString(m.Object, "status", "phase"); phase == "Running" {
					t.Errorf("Machine %s is Running although its node refused its config", m.GetName())
				}
				if ref, _, _ := unstructured.NestedString(m.Object, "status", "nodeRef", "name"); ref != "" {
					t.Errorf("Machine %s has a Node", m.GetName())
				}
			}
		}
		// One new machine per rollout (maxSurge 1): the control plane's and the pool's; both refuse.
		var cps int
		for _, name := range stuck {
			if strings.HasPrefix(name, s.Name+"-control-plane-") {
				cps++
			}
		}
		if cps != 1 || len(stuck) > 2 {
			t.Fatalf("Machines whose node refused its config: %v, want the new control plane (and the pool's surge machine)", stuck)
		}
		// What the user sees: the TalosControlPlane cannot reach the new control plane's Talos API (its node
		// refused its config, which only the node's console says).
		tcp, err := s.Get(gvkTCP, s.TCPName)
		if err != nil {
			t.Fatal(err)
		}
		var cpStuck string
		for _, name := range stuck {
			if strings.HasPrefix(name, s.Name+"-control-plane-") {
				cpStuck = name
			}
		}
		if st, _, msg := condition(tcp, "ControlPlaneComponentsHealthy"); st != "False" || !strings.Contains(msg, cpStuck) || !strings.Contains(msg, "connection refused") {
			t.Errorf("TalosControlPlane ControlPlaneComponentsHealthy=%s %q: want it False, naming %s and the refused connection", st, msg, cpStuck)
		}
		t.Logf("the user sees:\n%s", s.Diagnose())
		// The plan printed before this commit rolled the control plane and the pool; Flux did what it
		// said to the objects, and each rollout began (one surge machine) and went no further.
		s.checkPlanStalled(s.last)
	}) {
		return
	}

	if !s.Step("the template moves too: every machine runs v1.12.0", func(t *testing.T) {
		// CACPPT waits on the Talos API of every control plane before it changes the control plane, so
		// the user deletes the control plane Machine whose node refused its config; the pool's stuck
		// machine belongs to a superseded MachineSet, which the MachineDeployment scales down itself.
		var stuck, refused []string
		for _, m := range s.List(gvkMachine) {
			m := m
			if b := s.bootOf(&m); b != nil && b.Failed != nil {
				refused = append(refused, m.GetName())
				if strings.HasPrefix(m.GetName(), s.Name+"-control-plane-") {
					stuck = append(stuck, m.GetName())
				}
			}
		}
		s.Template, s.TemplateTalos = "venus/110", "v1.12.0"
		s.Apply(s.Spec("  cluster:\n    talosImage: " + image + "\n"))
		for _, name := range stuck {
			s.deleteMachine(name)
		}
		s.replaced("every machine replaced", 2, 1, old, 8*time.Minute)
		s.assertBooted(t, "v1.12.0", "v1.32.0")
		if got := templateNames(s.List(gvkPMT)); got == pmts {
			t.Errorf("machine templates %s unchanged: the VM template moved", got)
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
		// The plan of this commit against what happened, leaving out the machines of the first commit
		// whose nodes refused their config (deleted by the user or scaled down: this commit's plan is made
		// from the renders and cannot know them): both rollouts of the original machines, as planned.
		s.checkPlanIgnoring(s.last, refused...)
	}) {
		return
	}
	s.deleteCluster()
}

// deleteMachine deletes a Machine, as a user does with kubectl delete machine.
func (s *Scenario) deleteMachine(name string) {
	s.T.Helper()
	m, err := s.Get(gvkMachine, name)
	if err != nil {
		s.T.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := mgmt.Client.Delete(ctx, m); err != nil {
		s.T.Fatalf("deleting Machine %s: %v", name, err)
	}
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
		// The control planes' node names: their Machines' ProxmoxMachines (a surplus Machine deleted before
		// the bootstrap, see deleteSurplusControlPlanes, may leave its ProxmoxMachine behind a while).
		var cpNames []string
		for _, m := range s.List(gvkMachine) {
			if _, cp := m.GetLabels()["cluster.x-k8s.io/control-plane"]; cp {
				name, _, _ := unstructured.NestedString(m.Object, "spec", "infrastructureRef", "name")
				cpNames = append(cpNames, name)
			}
		}
		sort.Strings(cpNames)
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
		before := len(w.Talos.VotingCounts())
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
		// Voting members (what quorum is made of; a joining member is a learner until promoted) never drop
		// below three: each new control plane is promoted before an old one leaves.
		counts := w.Talos.VotingCounts()[before:]
		for _, c := range counts {
			if c < 3 {
				t.Errorf("etcd went down to %d voting members during the roll (counts %v): one control plane at a time, surge first", c, counts)
				break
			}
		}
		if h := w.Talos.History()[before:]; len(h) == 0 || !strings.Contains(h[0].Change, "joined as a learner") {
			t.Errorf("the roll's first etcd change %+v, want a new member joining as a learner", h)
		}
		if m := w.Talos.Members(); len(m) != 3 {
			t.Errorf("etcd members after the roll: %v, want 3", m)
		}
		t.Logf("etcd voting members during the roll: %v", counts)
		s.checkLastPlan()
	}) {
		return
	}
	s.deleteCluster()
}

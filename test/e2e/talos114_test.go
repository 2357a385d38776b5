package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/capi-proxmox-talos/e2e/harness"
)

// TestTalosContract114: what a user of the CABPT that the Go module proxy serves sees when a cluster moves
// from Talos v1.13 (template 130, a v1.13.0 disk image) to the v1.14 contract (template 140, v1.14.2, with
// talosImage v1.14.2).
//
// The gap, stated: the controllers stay at the releases the Go module proxy serves, CABPT v0.6.12 and
// CACPPT v0.5.13. The generator writes the v1.14 contract as separate documents (UnattendedInstallConfig,
// KubeletConfig, ...); CABPT v0.6.12 (Talos machinery v1.13) cannot decode them and refuses to generate
// the bootstrap data. CABPT v0.6.13, which knows them, is not on the proxy: the v1.14 path (machinery
// v1.14.1 generate + our patches + validate) is issue 20's Go check (test/talosconfig), and the simulated
// node's v1.14 validation is talossim's own test. What this scenario asserts is what such a user meets:
//   - `diff` says before the commit that the move needs CABPT >= v0.6.13 and CACPPT >= v0.5.14;
//   - after the commit, the new machines' TalosConfigs carry CABPT's refusal (the words of
//     docs/troubleshooting.md), no VM is cloned for them, every old machine keeps running, and the
//     workload cluster keeps its nodes (nothing is replaced by a machine that cannot boot);
//   - reverting the commit (the troubleshooting's "keep talosImage on Talos v1.13"): the gate refuses it
//     as a Talos downgrade and says how to allow it; allowed by name, it passes; with the control plane
//     Machine that never got its config deleted, the cluster is back on its v1.13 machines, the same
//     VMs, with the stuck machines gone.
//
// A CABPT that accepts the v1.14 documents makes the second step fail: then rewrite this scenario as the
// upgrade it becomes, and update docs/e2e.md.
func TestTalosContract114(t *testing.T) {
	t.Parallel()
	s := NewScenario(t, "e2e-t114", "127.0.21")
	image := func(v string) string { return strings.TrimSuffix(defaultImage, ":v1.11.1") + ":" + v }
	s.Template, s.TemplateTalos = "venus/130", "v1.13.0"
	v113 := s.Spec("  cluster:\n    talosImage: " + image("v1.13.0") + "\n")
	s.Apply(v113)
	if !s.Step("create on v1.13", func(t *testing.T) {
		s.up(2, 1, 6*time.Minute)
		s.assertBooted(t, "v1.13.0", "v1.32.0")
		s.checkLastPlan()
	}) {
		return
	}
	old := s.uuids("")
	oldMachines := map[string]bool{}
	for _, m := range s.List(gvkMachine) {
		oldMachines[m.GetName()] = true
	}
	const refusal = `"UnattendedInstallConfig" "v1alpha1": not registered`
	if !s.Step("move to v1.14 on CABPT v0.6.12: refused, announced, nothing replaced", func(t *testing.T) {
		s.Template, s.TemplateTalos = "venus/140", "v1.14.2"
		v114 := s.Spec("  cluster:\n    talosImage: " + image("v1.14.2") + "\n")
		dir := t.TempDir()
		from, to := filepath.Join(dir, "v113.yaml"), filepath.Join(dir, "v114.yaml")
		for f, text := range map[string]string{from: v113, to: v114} {
			if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		diff := command(t, filepath.Join(harness.RepoRoot(), "dist", "capi-proxmox-talos"), "diff", from, to)
		if !strings.Contains(diff, "needs CABPT ≥ v0.6.13 and CACPPT ≥ v0.5.14") {
			t.Errorf("diff does not warn that the v1.14 contract needs CABPT >= v0.6.13:\n%s", diff)
		}
		s.Apply(v114)
		s.WaitFor("CABPT refusing the v1.14 documents on the new machines' TalosConfigs", 4*time.Minute, func() (bool, string) {
			var seen []string
			for _, c := range s.List(gvkTalosConf) {
				c := c
				text := falseConditions(&c)
				if strings.Contains(text, refusal) {
					return true, ""
				}
				seen = append(seen, c.GetName()+": "+text)
			}
			return false, strings.Join(seen, "\n")
		})
		for _, v := range s.VMs() {
			if old[v.UUID()] == nil {
				t.Errorf("VM %d (%s) was cloned although its machine has no bootstrap data", v.ID, v.Name())
			}
		}
		s.untouched(old, "a refused v1.14 move")
		running := 0
		for _, m := range s.List(gvkMachine) {
			p, _, _ := unstructured.NestedString(m.Object, "status", "phase")
			if oldMachines[m.GetName()] && p == "Running" && m.GetDeletionTimestamp() == nil {
				running++
			} else if !oldMachines[m.GetName()] && p == "Running" {
				t.Errorf("new Machine %s is Running without bootstrap data", m.GetName())
			}
		}
		if running != len(oldMachines) {
			t.Errorf("%d of the %d v1.13 machines still Running after the refused move, want all", running, len(oldMachines))
		}
		if nodes := s.workloadNodes(); len(nodes) != 2 {
			t.Errorf("the workload cluster has %d Nodes after the refused move, want its 2", len(nodes))
		}
		// The plan printed before the commit: Flux did what it said to the objects, and each rollout it
		// announced began (its surge Machine, which never gets bootstrap data) and went no further.
		s.checkPlanStalled(s.last)
	}) {
		return
	}
	moved := s.last // the v1.14 commit Flux applied
	if !s.Step("revert to v1.13: the same machines, the stuck ones gone", func(t *testing.T) {
		s.Template, s.TemplateTalos = "venus/130", "v1.13.0"
		// The user reverts the commit (its spec and render back as they were). The gate, judging against
		// the revision Flux applied (the v1.14 render), refuses it as a Talos downgrade: it compares
		// renders and cannot know that no node ever ran v1.14, and it says how to lift it. The user, who
		// knows, allows the downgrade for this cluster by name (docs/troubleshooting.md), and the gate
		// passes it with a warning.
		c := s.commitRevert("revert the v1.14 commit", moved)
		if c.gateExit == 0 || !strings.Contains(c.gateOut, "Talos v1.14 → v1.13 is a downgrade") || !strings.Contains(c.gateOut, "allow it by name: --allow "+s.Name+"/") {
			t.Errorf("the gate on the revert of a v1.14 move no node ran: exit %d, want 1 with the downgrade named and how to allow it:\n%s", c.gateExit, c.gateOut)
		}
		if c.plan != nil && !c.plan.Refused {
			t.Errorf("the plan of the revert is not refused: %s", c.plan.Summary())
		}
		t.Logf("the gate refuses the revert (exit %d):\n%s", c.gateExit, c.gateOut)
		s.allow = true
		s.judge(c, true)
		s.allow = false
		if c.gateExit != 0 || !strings.Contains(c.gateOut, "allowed: Talos v1.14 → v1.13 is a downgrade") {
			t.Fatalf("the gate with the downgrade allowed by name: exit %d, want it passed with the allowance said:\n%s", c.gateExit, c.gateOut)
		}
		if c.plan == nil || c.plan.Refused {
			t.Fatalf("the plan with the downgrade allowed is refused or missing (%v)", c.planErr)
		}
		s.push(c)
		s.last = c
		// The pool's stuck machine goes with its MachineSet; the control plane's does not: CACPPT scales
		// down only once every control plane has booted ("waiting for all nodes to finish boot
		// sequence"), and the stuck one never boots. The user deletes it (docs/troubleshooting.md), as
		// the scenario does here.
		for _, m := range s.List(gvkMachine) {
			if _, cp := m.GetLabels()["cluster.x-k8s.io/control-plane"]; cp && !oldMachines[m.GetName()] && m.GetDeletionTimestamp() == nil {
				t.Logf("deleting the control plane Machine %s that never got its config, as docs/troubleshooting.md says", m.GetName())
				s.deleteMachine(m.GetName())
			}
		}
		s.WaitFor("back to the 2 v1.13 machines", 4*time.Minute, func() (bool, string) {
			ok, msg := s.MachinesRunning(2)
			if !ok {
				return false, msg
			}
			for _, m := range s.List(gvkMachine) {
				if !oldMachines[m.GetName()] {
					return false, "Machine " + m.GetName() + " is not one of the v1.13 machines"
				}
			}
			return len(s.VMs()) == 2, fmt.Sprintf("%d VMs", len(s.VMs()))
		})
		s.WaitFor("TalosControlPlane ready with 1", 3*time.Minute, func() (bool, string) { return s.TCPReady(1) })
		s.untouched(old, "the revert")
		s.assertBooted(t, "v1.13.0", "v1.32.0")
		// The revert's objects are what its plan said. Its machine side is not compared: the plan,
		// made from the v1.14 and v1.13 renders, announces both rollouts again, and the controllers roll
		// nothing (the old machines match the reverted spec; asserted above with untouched).
		s.checkPlanObjects(s.last)
	}) {
		return
	}
	s.deleteCluster()
}

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/capi-proxmox-talos/e2e/harness"
	"github.com/capi-proxmox-talos/e2e/proxmoxsim"
)

// The plan, as `capi-proxmox-talos diff OLD NEW --output json` prints it (the contract agreed with
// the plan engine; fields may be added, these stay), and its comparison with what real Flux and
// the real controllers did.

// Plan is the plan's JSON.
type Plan struct {
	APIVersion string        `json:"apiVersion"`
	Kind       string        `json:"kind"`
	Clusters   []PlanCluster `json:"clusters"`
	Others     PlanObjects   `json:"others"` // objects of no cluster
	Problems   []struct {
		Severity string `json:"severity"`
		Message  string `json:"message"`
		Cluster  string `json:"cluster"`
		Rule     string `json:"rule"` // the gate rule that refused (or, allowed, warned): delete, move, destroy, flag
		Field    struct {
			Path string `json:"path"`
		} `json:"field"`
	} `json:"problems"`
	Refused bool `json:"refused"`
}

// PlanRef names an object: API group ("" for core), kind, namespace, name.
type PlanRef struct {
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

func (r PlanRef) obj() harness.ObjRef {
	return harness.ObjRef{Group: r.Group, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
}

// PlanObjects is what Flux does to objects: create, update in place (server-side apply), prune,
// keep (left the render, but prune: disabled).
type PlanObjects struct {
	Created []PlanRef `json:"created"`
	Updated []PlanRef `json:"updated"`
	Pruned  []PlanRef `json:"pruned"`
	Kept    []PlanRef `json:"kept"`
}

// PlanCluster is the plan for one CAPI Cluster.
type PlanCluster struct {
	Namespace string      `json:"namespace"`
	Name      string      `json:"name"`
	Change    string      `json:"change"`
	Objects   PlanObjects `json:"objects"`
	Rollouts  []struct {
		Owner          PlanRef         `json:"owner"`
		Machines       int             `json:"machines"`
		MaxSurge       json.RawMessage `json:"maxSurge"`
		MaxUnavailable json.RawMessage `json:"maxUnavailable"`
		FreeIPs        int             `json:"freeIPs"`
		Reasons        []string        `json:"reasons"`
	} `json:"rollouts"`
	Scales []struct {
		Owner PlanRef         `json:"owner"`
		From  json.RawMessage `json:"from"`
		To    json.RawMessage `json:"to"`
	} `json:"scales"`
	Destroys []struct {
		Object   PlanRef         `json:"object"`
		Machines json.RawMessage `json:"machines"`
		Reason   string          `json:"reason"`
	} `json:"destroys"`
	Flags []struct {
		Path    string `json:"path"`
		Message string `json:"message"`
	} `json:"flags"`
}

// makePlan runs `capi-proxmox-talos diff OLD NEW --output json --gate` on the rendered/ folder at
// the revision Flux applied last (OLD) and at the commit (NEW), as CI does before the push: the
// plan, judged by the gate's rules (refused), with --allow <cluster> when the edit is allowed.
func (s *Scenario) makePlan(base, sha string, allow bool) (*Plan, error) {
	dir, err := os.MkdirTemp(s.dir, "plan-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	oldDir, newDir := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	if err := gitArchive(s.git.repo, base, oldDir); err != nil {
		return nil, err
	}
	if err := gitArchive(s.git.repo, sha, newDir); err != nil {
		return nil, err
	}
	args := []string{"diff", oldDir, newDir, "--output", "json", "--gate"}
	if allow {
		args = append(args, "--allow", s.Name)
	}
	cmd := exec.Command(filepath.Join(harness.RepoRoot(), "dist", "capi-proxmox-talos"), args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var ee *exec.ExitError
	if runErr != nil && !errors.As(runErr, &ee) {
		return nil, runErr
	}
	p := &Plan{}
	if err := json.Unmarshal([]byte(stdout.String()), p); err != nil || p.Kind != "Plan" {
		return nil, fmt.Errorf("diff OLD NEW --output json printed no plan (exit %v, parse error %v):\n%s%s", runErr, err, stdout.String(), stderr.String())
	}
	return p, nil
}

// Summary is the plan on one line, for the log.
func (p *Plan) Summary() string {
	var parts []string
	for _, c := range p.Clusters {
		parts = append(parts, fmt.Sprintf("%s/%s %s: %d created, %d updated, %d pruned, %d kept, %d rollouts, %d scales, %d destroys, %d flags",
			c.Namespace, c.Name, c.Change, len(c.Objects.Created), len(c.Objects.Updated), len(c.Objects.Pruned), len(c.Objects.Kept),
			len(c.Rollouts), len(c.Scales), len(c.Destroys), len(c.Flags)))
	}
	for _, pr := range p.Problems {
		parts = append(parts, pr.Severity+": "+pr.Message)
	}
	return strings.Join(parts, "; ") + fmt.Sprintf("; refused=%v", p.Refused)
}

// ledger is a plan or an observation as comparable lines: what Flux does to objects, and what
// happens to machines (rollouts, scales, destroys), each sorted; the plan's also has the order of
// its rollouts (checkOrder).
type ledger struct {
	objects  []string
	machines []string
	order    []harness.ObjRef // the plan's rollout owners, in its order
}

func (l ledger) String() string {
	lines := append(append([]string{}, l.objects...), l.machines...)
	if len(lines) == 0 {
		return "  (nothing)"
	}
	return "  " + strings.Join(lines, "\n  ")
}

func rawString(m json.RawMessage) string { return strings.Trim(string(m), `"`) }

func objectLines(o PlanObjects) []string {
	var out []string
	for _, r := range o.Created {
		out = append(out, "created "+r.obj().String())
	}
	for _, r := range o.Updated {
		out = append(out, "updated "+r.obj().String())
	}
	for _, r := range o.Pruned {
		out = append(out, "pruned "+r.obj().String())
	}
	for _, r := range o.Kept {
		out = append(out, "kept "+r.obj().String())
	}
	return out
}

func rolloutLine(owner harness.ObjRef, machines, maxSurge, maxUnavailable, freeIPs string) string {
	return fmt.Sprintf("rollout %s: %s machines replaced, maxSurge %s, maxUnavailable %s, freeIPs %s", owner, machines, maxSurge, maxUnavailable, freeIPs)
}

// planLedger is what the plan promises, over every cluster of the plan.
func planLedger(p *Plan) ledger {
	var l ledger
	l.objects = objectLines(p.Others)
	for _, c := range p.Clusters {
		l.objects = append(l.objects, objectLines(c.Objects)...)
		for _, r := range c.Rollouts {
			l.machines = append(l.machines, rolloutLine(r.Owner.obj(), fmt.Sprint(r.Machines), rawString(r.MaxSurge), rawString(r.MaxUnavailable), fmt.Sprint(r.FreeIPs)))
			l.order = append(l.order, r.Owner.obj())
		}
		for _, sc := range c.Scales {
			l.machines = append(l.machines, fmt.Sprintf("scale %s: %s -> %s", sc.Owner.obj(), rawString(sc.From), rawString(sc.To)))
		}
		for _, d := range c.Destroys {
			l.machines = append(l.machines, fmt.Sprintf("destroy %s: %s machines", d.Object.obj(), rawString(d.Machines)))
		}
	}
	sort.Strings(l.objects)
	sort.Strings(l.machines)
	return l
}

// wantLedger is the plan's ledger, with one thing the plan cannot know: an object the user made
// outside Git before the commit (s.outsideGit, e.g. the Namespace of a pool the user created first) is
// "created" in the plan, made from the renders alone, and Flux takes it over ("configured"). Only the
// named objects are rewritten; any other difference still fails.
func (s *Scenario) wantLedger(c *fluxCommit) ledger {
	l := planLedger(c.plan)
	for i, line := range l.objects {
		for _, r := range s.outsideGit {
			if _, was := c.before.inv[r]; !was && line == "created "+r.String() {
				l.objects[i] = fmt.Sprintf("entered Flux's inventory as %q: %s", "configured", r)
			}
		}
	}
	sort.Strings(l.objects)
	return l
}

// rollout is one owner's machines across a commit, as observed.
type rollout struct {
	owner          harness.ObjRef
	old, new       []*proxmoxsim.VM // VMs of its Machines that went, and of its new Machines
	never          int              // its Machines that went without ever having a VM
	before, after  int              // its Machines before the push and now
	first, last    time.Time        // first new VM cloned, last old VM deleted
	surge, unavail int
}

// observedLedger is what happened, in the plan's terms, and anything that contradicts Flux's own
// report:
//   - objects, from Flux itself: its inventory before and after the commit and its change log for
//     the revision (created / configured / deleted / skipped), checked against the live objects
//     (an object whose UID changed was recreated, which no plan promises; a pruned one must be gone,
//     a kept one still the same object);
//   - machines, from the controllers' objects and the simulated Proxmox: the Machines before the
//     push and now (owner = TalosControlPlane or MachineDeployment) and their VMs' clone, start and
//     delete times. A rollout is an owner that stays and lost old machines for as many new ones: its
//     maxSurge is the most VMs it had beyond its replica count at once (each took an address from the
//     pool, so that is also the free IPs it needed), its maxUnavailable the most replicas it had not
//     running at once; rollouts are ordered by the clone of their first new VM. A scale changed the
//     count without replacing. A destroy is an object Flux pruned that owned machines (the Cluster
//     owns them all, "all" once every one is gone; a ProxmoxCluster owns none).
//
// ignore names Machines left out of the machine side: ones an earlier commit made that never ran
// and that the user deleted (checkPlanIgnoring); the plan of this commit cannot know them.
func (s *Scenario) observedLedger(c *fluxCommit, ignore ...string) (ledger, map[harness.ObjRef]*rollout, observedProblems) {
	s.T.Helper()
	var l ledger
	var problems []string // about objects
	all := map[harness.ObjRef]bool{}
	for r := range c.before.inv {
		all[r] = true
	}
	for r := range c.inv {
		all[r] = true
	}
	pruned := map[harness.ObjRef]bool{}
	for r := range all {
		was, inBefore := c.before.inv[r]
		now, inAfter := c.inv[r]
		action := c.changes[r.Subject()]
		switch {
		case !inBefore && inAfter && action == "created":
			l.objects = append(l.objects, "created "+r.String())
		case !inBefore && inAfter:
			l.objects = append(l.objects, fmt.Sprintf("entered Flux's inventory as %q: %s", action, r))
		case inBefore && inAfter && was.uid != "" && now.uid != "" && was.uid != now.uid:
			l.objects = append(l.objects, "recreated "+r.String())
		case inBefore && inAfter && action == "configured":
			l.objects = append(l.objects, "updated "+r.String())
		case inBefore && inAfter && action != "unchanged":
			l.objects = append(l.objects, fmt.Sprintf("%s (Flux) %s", action, r))
		case inBefore && !inAfter && action == "deleted":
			l.objects = append(l.objects, "pruned "+r.String())
			pruned[r] = true
		case inBefore && !inAfter && action == "skipped":
			l.objects = append(l.objects, "kept "+r.String())
		case inBefore && !inAfter:
			l.objects = append(l.objects, fmt.Sprintf("left Flux's inventory as %q: %s", action, r))
		}
		// Reality behind Flux's word: what Flux holds exists, what it pruned is gone (or going),
		// what it kept is still the same object.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		live, err := liveUID(ctx, r, versionOf(c, r))
		cancel()
		switch {
		case err != nil:
			problems = append(problems, err.Error())
		case inAfter && live == "":
			problems = append(problems, fmt.Sprintf("%s is in Flux's inventory but does not exist", r))
		case inBefore && !inAfter && action == "deleted" && live != "":
			problems = append(problems, fmt.Sprintf("Flux pruned %s but it still exists (UID %s)", r, live))
		case inBefore && !inAfter && action == "skipped" && live != was.uid:
			problems = append(problems, fmt.Sprintf("Flux kept %s but it is gone or another object (UID %s -> %q)", r, was.uid, live))
		}
	}
	sort.Strings(l.objects)

	now := s.machines()
	vms := map[string]*proxmoxsim.VM{}
	for _, v := range pve.Deleted() {
		vms[v.UUID()] = v
	}
	for _, v := range pve.VMs() {
		vms[v.UUID()] = v
	}
	owners := map[harness.ObjRef]*rollout{}
	get := func(o harness.ObjRef) *rollout {
		if owners[o] == nil {
			owners[o] = &rollout{owner: o}
		}
		return owners[o]
	}
	var machineProblems []string
	before := maps.Clone(c.before.machines)
	for _, name := range ignore {
		delete(before, name)
		delete(now, name)
	}
	gone := 0
	for name, m := range before {
		r := get(m.owner)
		r.before++
		if _, still := now[name]; !still {
			gone++
			switch v := vms[m.uuid]; {
			case m.uuid == "":
				// a Machine that never got a VM (its bootstrap or clone never happened): nothing to delete
				r.never++
			case v != nil && !v.Deleted.IsZero():
				r.old = append(r.old, v)
			default:
				machineProblems = append(machineProblems, fmt.Sprintf("Machine %s is gone but its VM %q was not deleted", name, m.uuid))
			}
		}
	}
	for name, m := range now {
		r := get(m.owner)
		r.after++
		if _, was := before[name]; !was {
			if v := vms[m.uuid]; v != nil {
				r.new = append(r.new, v)
			} else {
				machineProblems = append(machineProblems, fmt.Sprintf("new Machine %s has no VM (%q)", name, m.uuid))
			}
		}
	}
	for r := range pruned {
		switch r.Kind {
		case "Cluster":
			if len(now) == 0 && gone == len(before) {
				l.machines = append(l.machines, fmt.Sprintf("destroy %s: all machines", r))
			} else {
				l.machines = append(l.machines, fmt.Sprintf("destroy %s: %d of %d machines gone, %d left", r, gone, len(before), len(now)))
			}
		case "TalosControlPlane", "MachineDeployment", "ProxmoxCluster":
			n := 0
			if o := owners[r]; o != nil {
				n = len(o.old) + o.never
			}
			l.machines = append(l.machines, fmt.Sprintf("destroy %s: %d machines", r, n))
		}
	}
	var rolls []*rollout
	for _, r := range owners {
		_, existed := c.before.inv[r.owner]
		switch {
		case pruned[r.owner]:
		case !existed && len(r.old) == 0:
			// an owner this commit created: its first machines are the create, which the plan does
			// not list as a change (the scenario's wait checks that they come up)
		case len(r.old) > 0 && r.never == 0 && len(r.new) == len(r.old):
			r.surge, r.unavail, r.first, r.last = rollShape(r.old, r.new, r.after)
			rolls = append(rolls, r)
			l.machines = append(l.machines, rolloutLine(r.owner, fmt.Sprint(len(r.old)), fmt.Sprint(r.surge), fmt.Sprint(r.unavail), fmt.Sprint(r.surge)))
		case len(r.old) == 0 && r.never == 0 && r.before != r.after:
			l.machines = append(l.machines, fmt.Sprintf("scale %s: %d -> %d", r.owner, r.before, r.after))
		case len(r.old) > 0 || len(r.new) > 0 || r.never > 0:
			l.machines = append(l.machines, fmt.Sprintf("machines of %s changed unlike a roll or a scale: %d gone (%d without a VM), %d new, %d -> %d", r.owner, len(r.old)+r.never, r.never, len(r.new), r.before, r.after))
		}
	}
	sort.Slice(rolls, func(i, j int) bool { return rolls[i].first.Before(rolls[j].first) })
	if len(rolls) > 1 {
		var seq []string
		for _, r := range rolls {
			seq = append(seq, fmt.Sprintf("%s %s..%s", r.owner.Kind+"/"+r.owner.Name, r.first.Format("15:04:05.000"), r.last.Format("15:04:05.000")))
		}
		s.T.Logf("%s: rollouts (first new VM cloned .. last old VM deleted): %s", c.what, strings.Join(seq, ", "))
	}
	sort.Strings(l.machines)
	byOwner := map[harness.ObjRef]*rollout{}
	for _, r := range rolls {
		byOwner[r.owner] = r
	}
	return l, byOwner, observedProblems{objects: problems, machines: machineProblems}
}

// observedProblems is what contradicts Flux's report (objects) or the VM history (machines).
type observedProblems struct{ objects, machines []string }

// rollShape replays a rollout's VM history: the most VMs beyond the replica count at once
// (surge), the most replicas not running at once (unavailable), when the first new VM was cloned
// and the last old VM deleted.
func rollShape(old, new []*proxmoxsim.VM, replicas int) (surge, unavail int, first, last time.Time) {
	type ev struct {
		t               time.Time
		exists, running int
	}
	var evs []ev
	exists, running := len(old), 0
	for _, v := range old {
		if !v.Started.IsZero() {
			running++
		}
		if v.Deleted.After(last) {
			last = v.Deleted
		}
		evs = append(evs, ev{t: v.Deleted, exists: -1, running: -1})
	}
	for _, v := range new {
		if first.IsZero() || v.Created.Before(first) {
			first = v.Created
		}
		evs = append(evs, ev{t: v.Created, exists: 1})
		if !v.Started.IsZero() {
			evs = append(evs, ev{t: v.Started, running: 1})
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].t.Before(evs[j].t) })
	for _, e := range evs {
		exists += e.exists
		running += e.running
		surge = max(surge, exists-replicas)
		unavail = max(unavail, replicas-running)
	}
	return surge, unavail, first, last
}

// checkOrder: the plan lists rollouts in the order CAPI starts them. Where CAPI ran two of them one
// after the other (the second's first new VM cloned after the first's last old VM was deleted), the
// plan must list them in that order; rollouts that overlapped (the chart handover rolls the control
// plane and the workers at the same time) may be listed either way.
func checkOrder(plan []harness.ObjRef, rolls map[harness.ObjRef]*rollout) []string {
	var out []string
	for i := range plan {
		for j := i + 1; j < len(plan); j++ {
			a, b := rolls[plan[i]], rolls[plan[j]]
			if a != nil && b != nil && b.last.Before(a.first) {
				out = append(out, fmt.Sprintf("the plan lists rollout %s before %s, but CAPI replaced every machine of %s (by %s) before it started on %s (%s)",
					plan[i], plan[j], plan[j], b.last.Format("15:04:05.000"), plan[i], a.first.Format("15:04:05.000")))
			}
		}
	}
	return out
}

// checkPlan compares the plan printed before the commit with what happened; call it once the
// scenario waited for the controllers to finish (the rollout done, the VMs gone).
func (s *Scenario) checkPlan(c *fluxCommit) {
	s.T.Helper()
	s.checkPlanIgnoring(c)
}

// checkPlanIgnoring is checkPlan with the named Machines left out of what happened: Machines an
// earlier commit created that never ran and that the user deleted after this commit's push (a Talos
// upgrade whose nodes refused their config). The plan is made from the renders alone and cannot know
// them; everything else must match as in checkPlan.
func (s *Scenario) checkPlanIgnoring(c *fluxCommit, ignore ...string) {
	s.T.Helper()
	if !s.planReady(c) {
		return
	}
	want := s.wantLedger(c)
	got, rolls, obs := s.observedLedger(c, ignore...)
	problems := append(append(obs.objects, obs.machines...), checkOrder(want.order, rolls)...)
	for _, p := range problems {
		s.T.Errorf("%s: %s", c.what, p)
	}
	if want.String() != got.String() {
		s.T.Errorf("%s: the plan printed before the commit is not what happened.\nplan:\n%s\nhappened (Flux's inventory and change log, the controllers' Machines, the simulated VMs):\n%s\nFlux's change log: %v",
			c.what, want, got, c.changes)
	} else {
		s.T.Logf("%s: plan == what happened:\n%s", c.what, got)
	}
}

// planReady reports whether the commit has a plan to compare and was pushed (a failure otherwise).
func (s *Scenario) planReady(c *fluxCommit) bool {
	s.T.Helper()
	if c.planErr != nil {
		s.T.Errorf("%s: no plan to compare with what happened: %v", c.what, c.planErr)
		return false
	}
	if !c.pushed {
		s.T.Fatalf("%s: a plan check on a commit that was not pushed", c.what)
	}
	return true
}

// checkPlanObjects compares only what Flux did to objects with the plan (created, updated, pruned,
// kept, each backed by the live objects), for a commit whose machines cannot come up (a fault: the
// machine side is what the scenario asserts instead). Catches a plan that names other objects than
// Flux then creates, updates or prunes. It reports whether the commit had a plan to compare.
func (s *Scenario) checkPlanObjects(c *fluxCommit) bool {
	s.T.Helper()
	if !s.planReady(c) {
		return false
	}
	want := s.wantLedger(c)
	got, _, obs := s.observedLedger(c)
	s.compareObjects(c, want, got, obs.objects)
	return true
}

func (s *Scenario) compareObjects(c *fluxCommit, want, got ledger, problems []string) {
	s.T.Helper()
	for _, p := range problems {
		s.T.Errorf("%s: %s", c.what, p)
	}
	w, g := ledger{objects: want.objects}, ledger{objects: got.objects}
	if w.String() != g.String() {
		s.T.Errorf("%s: the objects of the plan printed before the commit are not what Flux did.\nplan:\n%s\nFlux (inventory and change log):\n%s\nFlux's change log: %v", c.what, w, g, c.changes)
	} else {
		s.T.Logf("%s: the plan's objects == what Flux did:\n%s", c.what, g)
	}
}

// checkPlanStalled is the plan check for a commit whose rollouts cannot finish (the new machines'
// bootstrap is refused): the objects as in checkPlanObjects, and for the machines, that every rollout
// the plan lists began within its maxSurge and went no further: the owner lost none of its machines and
// has at most maxSurge new ones, and no owner the plan does not roll or scale got or lost a machine.
// Catches a plan that rolls other owners than the controllers do, and a roll that took an old machine
// away before its replacement ran (maxUnavailable 0).
func (s *Scenario) checkPlanStalled(c *fluxCommit) {
	s.T.Helper()
	if !s.checkPlanObjects(c) {
		return
	}
	surge := map[harness.ObjRef]int{}
	for _, pc := range c.plan.Clusters {
		for _, r := range pc.Rollouts {
			n, err := strconv.Atoi(rawString(r.MaxSurge))
			if err != nil {
				s.T.Errorf("%s: rollout of %s: maxSurge %s is not a number", c.what, r.Owner.obj(), r.MaxSurge)
			}
			surge[r.Owner.obj()] = n
		}
		for _, sc := range pc.Scales {
			s.T.Errorf("%s: checkPlanStalled on a plan that scales %s", c.what, sc.Owner.obj())
		}
	}
	var gone, added map[harness.ObjRef][]string
	observe := func() {
		now := s.machines()
		gone, added = map[harness.ObjRef][]string{}, map[harness.ObjRef][]string{}
		for name, m := range c.before.machines {
			if _, still := now[name]; !still {
				gone[m.owner] = append(gone[m.owner], name)
			}
		}
		for name, m := range now {
			if _, was := c.before.machines[name]; !was {
				added[m.owner] = append(added[m.owner], name)
			}
		}
	}
	// The owners begin on their own schedules (a MachineDeployment may create its surge Machine seconds
	// after the control plane's): wait until each planned rollout began, then judge. An owner that never
	// begins fails below after the wait.
	err := s.Poll("every planned rollout began", 2*time.Minute, func() (bool, string) {
		observe()
		for owner := range surge {
			if len(added[owner]) == 0 {
				return false, fmt.Sprintf("%s has no new Machine yet", owner)
			}
		}
		return true, ""
	})
	if err != nil {
		s.T.Log(err) // the diagnosis; the failure is reported below
	}
	for owner, n := range surge {
		if len(gone[owner]) > 0 {
			s.T.Errorf("%s: %s lost %v while its new machines cannot come up", c.what, owner, gone[owner])
		}
		if len(added[owner]) == 0 || len(added[owner]) > n {
			s.T.Errorf("%s: %s has %d new machines %v, want 1 to %d (its planned maxSurge)", c.what, owner, len(added[owner]), added[owner], n)
		}
	}
	for owner, names := range gone {
		if _, planned := surge[owner]; !planned {
			s.T.Errorf("%s: %s, which the plan does not roll, lost %v", c.what, owner, names)
		}
	}
	for owner, names := range added {
		if _, planned := surge[owner]; !planned {
			s.T.Errorf("%s: %s, which the plan does not roll, got %v", c.what, owner, names)
		}
	}
	s.T.Logf("%s: the plan's rollouts began and stalled: new machines %v, none gone", c.what, added)
}

// versionOf is the API version Flux applied an object with (after the commit, else before).
func versionOf(c *fluxCommit, r harness.ObjRef) string {
	if o, ok := c.inv[r]; ok {
		return o.version
	}
	return c.before.inv[r].version
}

// TestRolloutObservation: the observed side of checkPlan on made-up VM histories, so a wrong
// observation cannot pass for a match. Catches: a surge or unavailability that is not replayed
// from the timestamps (a constant would match every maxSurge 1 / maxUnavailable 0 plan), and an
// order check that refuses overlapping rollouts or lets a reversed sequential order through.
func TestRolloutObservation(t *testing.T) {
	at := func(s int) time.Time { return time.Date(2026, 1, 1, 0, 0, s, 0, time.UTC) }
	vm := func(created, started, deleted int) *proxmoxsim.VM {
		v := &proxmoxsim.VM{Created: at(created), Started: at(started)}
		if deleted > 0 {
			v.Deleted = at(deleted)
		}
		return v
	}
	for _, tc := range []struct {
		name           string
		old, new       []*proxmoxsim.VM
		replicas       int
		surge, unavail int
	}{
		// 2 workers, maxSurge 1 / maxUnavailable 0: a new VM runs before each old one goes.
		{"surge first", []*proxmoxsim.VM{vm(1, 2, 12), vm(1, 2, 22)}, []*proxmoxsim.VM{vm(10, 11, 0), vm(20, 21, 0)}, 2, 1, 0},
		// maxSurge 0 / maxUnavailable 1: each old VM goes before its replacement is cloned.
		{"delete first", []*proxmoxsim.VM{vm(1, 2, 10), vm(1, 2, 20)}, []*proxmoxsim.VM{vm(11, 12, 0), vm(21, 22, 0)}, 2, 0, 1},
		// Both new VMs at once before any old one goes: maxSurge 2.
		{"surge two", []*proxmoxsim.VM{vm(1, 2, 30), vm(1, 2, 31)}, []*proxmoxsim.VM{vm(10, 12, 0), vm(11, 13, 0)}, 2, 2, 0},
	} {
		surge, unavail, first, last := rollShape(tc.old, tc.new, tc.replicas)
		if surge != tc.surge || unavail != tc.unavail {
			t.Errorf("%s: surge %d, unavailable %d; want %d, %d", tc.name, surge, unavail, tc.surge, tc.unavail)
		}
		if !first.Equal(tc.new[0].Created) || !last.Equal(tc.old[1].Deleted) {
			t.Errorf("%s: first clone %s, last delete %s", tc.name, first, last)
		}
	}
	cp := harness.ObjRef{Kind: "TalosControlPlane", Name: "cp"}
	md := harness.ObjRef{Kind: "MachineDeployment", Name: "md"}
	sequential := map[harness.ObjRef]*rollout{cp: {first: at(1), last: at(10)}, md: {first: at(20), last: at(30)}}
	overlapping := map[harness.ObjRef]*rollout{cp: {first: at(1), last: at(10)}, md: {first: at(5), last: at(30)}}
	if p := checkOrder([]harness.ObjRef{cp, md}, sequential); len(p) != 0 {
		t.Errorf("the right order was refused: %v", p)
	}
	if p := checkOrder([]harness.ObjRef{md, cp}, sequential); len(p) != 1 {
		t.Errorf("a plan listing the pool before the control plane that rolled first passed: %v", p)
	}
	if p := checkOrder([]harness.ObjRef{md, cp}, overlapping); len(p) != 0 {
		t.Errorf("overlapping rollouts must pass in either order: %v", p)
	}
}

// TestWantLedger: only an object the scenario names as made outside Git, and only on the commit that
// brings it into Flux's inventory, is expected as "configured" instead of the plan's "created". Catches
// a rewrite that hides other objects' creation, or one that still applies once Flux holds the object.
func TestWantLedger(t *testing.T) {
	ns := harness.ObjRef{Kind: "Namespace", Name: "e2e-x"}
	plan := &Plan{Clusters: []PlanCluster{{Objects: PlanObjects{Created: []PlanRef{
		{Kind: "Namespace", Name: "e2e-x"},
		{Group: "cluster.x-k8s.io", Kind: "Cluster", Namespace: "e2e-x", Name: "e2e-x"},
	}}}}}
	s := &Scenario{T: t, outsideGit: []harness.ObjRef{ns}}
	first := &fluxCommit{plan: plan, before: &snapshot{inv: map[harness.ObjRef]liveObj{}}}
	want := `entered Flux's inventory as "configured": core/Namespace/e2e-x`
	if got := s.wantLedger(first).objects; fmt.Sprint(got) != fmt.Sprint([]string{"created cluster.x-k8s.io/Cluster/e2e-x/e2e-x", want}) {
		t.Errorf("first commit: %q", got)
	}
	later := &fluxCommit{plan: plan, before: &snapshot{inv: map[harness.ObjRef]liveObj{ns: {}}}}
	if got := s.wantLedger(later).objects; slices.Contains(got, want) {
		t.Errorf("a commit after Flux holds the Namespace still expects it configured: %q", got)
	}
	if got := (&Scenario{T: t}).wantLedger(first).objects; slices.Contains(got, want) {
		t.Errorf("a Namespace no scenario named was rewritten: %q", got)
	}
}

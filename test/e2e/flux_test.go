package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/capi-proxmox-talos/e2e/harness"
)

// Delivery through real Flux, the user's path (examples/flux): a scenario's specs live in a Git
// repository laid out like examples/flux (clusters/<name>/cluster.yaml + kustomization.yaml,
// rendered/<name>.yaml, render.sh), served on 127.0.0.1 by the harness's Git server. Each edit is
// one commit that goes:
//
//	render.sh (the function) → the plan (`diff OLD NEW --output json --gate`, OLD = rendered/ at
//	the revision Flux applied last) → the gate (`render.sh --check --base` that revision) →
//	push → the real source-controller fetches, the real kustomize-controller applies with
//	prune: true → the real CAPI/CAPMOX/CABPT/CACPPT controllers.
//
// The plan is kept with the commit, and checkPlan compares it with what happened (fluxplan_test.go).

// fluxRepo is a scenario's Git repository and the GitRepository + Kustomization applying it.
type fluxRepo struct {
	repo    *harness.Repo
	sync    *harness.FluxSync
	applied string // the commit Flux applied last (its Kustomization's lastAppliedRevision)
}

// fluxCommit is one commit delivered through the gate and Flux, with the plan printed before it
// and what Flux reported.
type fluxCommit struct {
	what     string
	sha      string
	base     string // the revision Flux had applied before: the plan's and the gate's base
	plan     *Plan
	planErr  error
	gateOut  string
	gateExit int
	pushed   bool
	before   *snapshot                  // before the push
	inv      map[harness.ObjRef]liveObj // Flux's inventory once it applied the commit, with live UIDs
	changes  map[string]string          // Flux's change log for the revision (subject -> action)
	rendered []*unstructured.Unstructured
}

// fluxSetup creates the scenario's repository with its first commit (render.sh, rendered/README.md),
// and the GitRepository and Kustomization of examples/flux/flux-system/clusters.yaml pointing at
// it, and waits until Flux applied that (empty) first revision.
func (s *Scenario) fluxSetup() *fluxRepo {
	s.T.Helper()
	if s.git != nil {
		return s.git
	}
	repo, err := fluxCtl.Git.NewRepo(s.Name, filepath.Join(s.dir, "repo"))
	if err != nil {
		s.T.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "examples", "flux", "render.sh"))
	if err != nil {
		s.T.Fatal(err)
	}
	// rendered/ must stay in Git when no cluster is left in it: Git keeps no empty directory, and
	// kustomize-controller fails with "kustomization path not found" on a path that is missing
	// instead of pruning (kustomize-controller v1.9.6 internal/controller/kustomization_controller.go);
	// it builds only *.yaml/*.yml, so a README keeps the path without adding objects.
	for path, data := range map[string][]byte{
		"render.sh":          script,
		"rendered/README.md": []byte("Rendered by render.sh in CI; Flux applies every *.yaml here.\n"),
	} {
		if err := repo.WriteFile(path, data); err != nil {
			s.T.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(repo.Work, "render.sh"), 0o755); err != nil {
		s.T.Fatal(err)
	}
	sha, err := repo.CommitAll("flux layout")
	if err == nil {
		err = repo.Push()
	}
	if err != nil {
		s.T.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sync, err := fluxCtl.Sync(ctx, s.Name, repo.URL, "./rendered")
	if err != nil {
		s.T.Fatal(err)
	}
	if err := sync.Reconcile(ctx, sha, time.Minute); err != nil {
		s.T.Fatal(err)
	}
	s.git = &fluxRepo{repo: repo, sync: sync, applied: sha}
	return s.git
}

// withFunction returns the ClusterSpec with the config.kubernetes.io/function annotation that
// makes kustomize run the function (examples/flux/clusters/*/cluster.yaml), naming the built
// executable of this clone.
func withFunction(spec string) (string, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(spec), &m); err != nil {
		return "", err
	}
	u := &unstructured.Unstructured{Object: m}
	ann := u.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann["config.kubernetes.io/function"] = "exec:\n  path: " + filepath.Join(harness.RepoRoot(), "dist", "capi-proxmox-talos") + "\n"
	u.SetAnnotations(ann)
	out, err := yaml.Marshal(u.Object)
	return string(out), err
}

// commitSpec is the user's edit: write clusters/<name>/cluster.yaml, run render.sh, print the
// plan, pass the gate, commit and push, and wait until Flux applied the commit. A gate that
// refuses ends the test (use commitDeletion for a destructive commit).
func (s *Scenario) commitSpec(what, spec string) *fluxCommit {
	s.T.Helper()
	r := s.fluxSetup()
	spec, err := withFunction(spec)
	if err != nil {
		s.T.Fatal(err)
	}
	kust, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "examples", "flux", "clusters", "cluster09", "kustomization.yaml"))
	if err != nil {
		s.T.Fatal(err)
	}
	dir := filepath.Join("clusters", s.Name)
	if err := r.repo.WriteFile(filepath.Join(dir, "cluster.yaml"), []byte(spec)); err != nil {
		s.T.Fatal(err)
	}
	if err := r.repo.WriteFile(filepath.Join(dir, "kustomization.yaml"), kust); err != nil {
		s.T.Fatal(err)
	}
	if out, err := s.renderSh(); err != nil {
		s.T.Fatalf("render.sh: %v\n%s", err, out)
	}
	return s.deliver(what, true)
}

// commitRendered commits a render made elsewhere as rendered/<name>.yaml (the cluster-chart's
// `helm template` output of the migration guide's Path B, committed before this project's gate
// existed): no spec, no render.sh, no gate.
func (s *Scenario) commitRendered(what string, rendered []byte) *fluxCommit {
	s.T.Helper()
	r := s.fluxSetup()
	if err := r.repo.WriteFile(filepath.Join("rendered", s.Name+".yaml"), rendered); err != nil {
		s.T.Fatal(err)
	}
	return s.deliver(what, false)
}

// commitDeletion is the commit that deletes the cluster as a user would: its folder removed and
// render.sh run with --allow-cluster-deletion (which removes rendered/<name>.yaml). The gate then
// judges it as CI would; with pushPastGate it is pushed whatever the gate says (what happens without
// the gate), else it stays unpushed for the caller to judge the gate's answer (s.push pushes it).
func (s *Scenario) commitDeletion(what string, pushPastGate bool) *fluxCommit {
	s.T.Helper()
	r := s.fluxSetup()
	if err := os.RemoveAll(filepath.Join(r.repo.Work, "clusters", s.Name)); err != nil {
		s.T.Fatal(err)
	}
	if out, err := s.renderSh("--allow-cluster-deletion", s.Name); err != nil {
		s.T.Fatalf("render.sh --allow-cluster-deletion %s: %v\n%s", s.Name, err, out)
	}
	if _, err := os.Stat(filepath.Join(r.repo.Work, "rendered", s.Name+".yaml")); !errors.Is(err, os.ErrNotExist) {
		s.T.Fatalf("render.sh --allow-cluster-deletion left rendered/%s.yaml (%v)", s.Name, err)
	}
	c := s.prepare(what, true)
	if !pushPastGate {
		return c // the caller judges the gate's answer; s.push(c) pushes it later
	}
	s.push(c)
	return c
}

// commitRevert is `git revert` of a delivered commit as a user makes it: the cluster's folder and its
// rendered file back as they were at the commit's base, committed without render.sh (which judges
// against rendered/ on disk). The plan is made and the gate run as CI would; the commit is not pushed
// (s.push pushes it, past the gate if it refused).
func (s *Scenario) commitRevert(what string, c *fluxCommit) *fluxCommit {
	s.T.Helper()
	r := s.fluxSetup()
	if out, err := r.repo.Git("checkout", c.base, "--", filepath.Join("clusters", s.Name), filepath.Join("rendered", s.Name+".yaml")); err != nil {
		s.T.Fatalf("restoring the files of %s: %v\n%s", c.base, err, out)
	}
	return s.prepare(what, true)
}

// renderSh runs the repository's render.sh as the user (or CI) does, with this clone's function
// and kustomize, and the allowance of an ApplyAllowed edit.
func (s *Scenario) renderSh(args ...string) (string, error) {
	cmd := exec.Command("bash", append([]string{filepath.Join(s.git.repo.Work, "render.sh")}, args...)...)
	cmd.Dir = s.git.repo.Work
	cmd.Env = append(os.Environ(), "KUSTOMIZE="+filepath.Join(harness.RepoRoot(), ".tools", "bin", "kustomize"),
		"CAPI_PROXMOX_TALOS="+filepath.Join(harness.RepoRoot(), "dist", "capi-proxmox-talos"))
	if s.allow {
		cmd.Env = append(cmd.Env, "ALLOW_CLUSTERS="+s.Name)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// deliver commits the working clone: plan, gate (when gated; a refusal ends the test), push, wait.
func (s *Scenario) deliver(what string, gated bool) *fluxCommit {
	s.T.Helper()
	c := s.prepare(what, gated)
	if gated && c.gateExit != 0 {
		s.T.Fatalf("%s: the gate (render.sh --check --base %s) refused the commit (exit %d):\n%s", what, c.base, c.gateExit, c.gateOut)
	}
	s.push(c)
	return c
}

// prepare commits the working clone's changes (not pushed yet), makes the plan against the
// revision Flux applied last, and runs the gate on the commit when gated.
func (s *Scenario) prepare(what string, gated bool) *fluxCommit {
	s.T.Helper()
	r := s.git
	c := &fluxCommit{what: what, base: r.applied}
	var err error
	if c.sha, err = r.repo.CommitAll(what); err != nil {
		s.T.Fatal(err)
	}
	s.judge(c, gated)
	if data, err := os.ReadFile(filepath.Join(r.repo.Work, "rendered", s.Name+".yaml")); err == nil {
		if c.rendered, err = harness.ParseObjects(data); err != nil {
			s.T.Fatal(err)
		}
	}
	return c
}

// judge makes the commit's plan against its base (with the scenario's allowance, s.allow) and, when
// gated, runs the gate on it as CI would (render.sh --check --base), keeping both on the commit;
// the gate and the plan must agree.
func (s *Scenario) judge(c *fluxCommit, gated bool) {
	s.T.Helper()
	c.plan, c.planErr = s.makePlan(c.base, c.sha, s.allow)
	if c.planErr != nil {
		s.T.Logf("%s: no plan: %v", c.what, c.planErr)
	} else {
		s.T.Logf("%s: plan before the commit: %s", c.what, c.plan.Summary())
	}
	if !gated {
		return
	}
	// The CI gate, against the revision Flux applied last (the Kustomization's lastAppliedRevision).
	out, err := s.renderSh("--check", "--base", c.base)
	c.gateOut, c.gateExit = out, 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		c.gateExit = ee.ExitCode()
	case err != nil:
		s.T.Fatalf("running the gate: %v", err)
	}
	// The gate is the plan engine judging the plan: both refuse or both pass.
	if c.plan != nil && c.plan.Refused != (c.gateExit != 0) {
		s.T.Errorf("%s: the gate (render.sh --check) exits %d but the plan says refused=%v (%s):\n%s", c.what, c.gateExit, c.plan.Refused, c.plan.Summary(), c.gateOut)
	}
}

// push pushes the commit and waits until Flux applied it; the snapshot before and Flux's
// inventory and change log after are kept for checkPlan.
func (s *Scenario) push(c *fluxCommit) {
	s.T.Helper()
	r := s.git
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c.before = s.snapshot(ctx)
	pushed := time.Now()
	if err := r.repo.Push(); err != nil {
		s.T.Fatal(err)
	}
	if err := r.sync.Reconcile(ctx, c.sha, 2*time.Minute); err != nil {
		s.T.Fatalf("%s: %v\n%s", c.what, err, s.Diagnose())
	}
	s.T.Logf("%s: Flux applied %s %.1fs after the push", c.what, c.sha[:12], time.Since(pushed).Seconds())
	c.pushed = true
	r.applied = c.sha
	var err error
	if c.inv, err = s.inventoryUIDs(ctx); err != nil {
		s.T.Fatal(err)
	}
	if c.changes, err = r.sync.Changes(harness.Revision(c.sha)); err != nil {
		s.T.Fatal(err)
	}
}

// gitArchive writes the rendered/ folder of a revision into dir (the plan's OLD side).
func gitArchive(repo *harness.Repo, rev, dir string) error {
	files, err := repo.Git("ls-tree", "--name-only", rev, "rendered/")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range strings.Fields(files) {
		if !strings.HasSuffix(f, ".yaml") {
			continue
		}
		data, err := repo.Git("show", rev+":"+f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), []byte(data+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// snapshot is the state a commit is judged against: Flux's inventory with live UIDs, and the
// cluster's Machines (owner and VM).
type snapshot struct {
	inv      map[harness.ObjRef]liveObj
	machines map[string]machineInfo
}

type machineInfo struct {
	owner harness.ObjRef // the TalosControlPlane or MachineDeployment the Machine belongs to
	uuid  string         // its VM's SMBIOS UUID (providerID proxmox://<uuid>); "" before it has one
}

func (s *Scenario) snapshot(ctx context.Context) *snapshot {
	s.T.Helper()
	inv, err := s.inventoryUIDs(ctx)
	if err != nil {
		s.T.Fatal(err)
	}
	return &snapshot{inv: inv, machines: s.machines()}
}

// machines maps each Machine of the cluster to its owner and VM.
func (s *Scenario) machines() map[string]machineInfo {
	s.T.Helper()
	out := map[string]machineInfo{}
	for _, m := range s.List(gvkMachine) {
		var owner harness.ObjRef
		if md := m.GetLabels()["cluster.x-k8s.io/deployment-name"]; md != "" {
			owner = harness.ObjRef{Group: "cluster.x-k8s.io", Kind: "MachineDeployment", Namespace: m.GetNamespace(), Name: md}
		}
		for _, ref := range m.GetOwnerReferences() {
			if ref.Kind == "TalosControlPlane" {
				owner = harness.ObjRef{Group: "controlplane.cluster.x-k8s.io", Kind: "TalosControlPlane", Namespace: m.GetNamespace(), Name: ref.Name}
			}
		}
		pid, _, _ := unstructured.NestedString(m.Object, "spec", "providerID")
		out[m.GetName()] = machineInfo{owner: owner, uuid: strings.TrimPrefix(pid, "proxmox://")}
	}
	return out
}

// liveObj is an inventory entry's API version and its object's live UID ("" when gone).
type liveObj struct {
	version string
	uid     types.UID
}

// inventoryUIDs reads Flux's inventory of the scenario's Kustomization and each object's live UID.
func (s *Scenario) inventoryUIDs(ctx context.Context) (map[harness.ObjRef]liveObj, error) {
	entries, err := s.git.sync.Inventory(ctx)
	if err != nil {
		return nil, err
	}
	out := map[harness.ObjRef]liveObj{}
	for _, e := range entries {
		uid, err := liveUID(ctx, e.ObjRef, e.Version)
		if err != nil {
			return nil, err
		}
		out[e.ObjRef] = liveObj{version: e.Version, uid: uid}
	}
	return out, nil
}

// liveUID returns the object's UID, "" when it does not exist or is being deleted.
func liveUID(ctx context.Context, r harness.ObjRef, version string) (types.UID, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk(r.Group, version, r.Kind))
	err := mgmt.Client.Get(ctx, client.ObjectKey{Namespace: r.Namespace, Name: r.Name}, u)
	switch {
	case apierrors.IsNotFound(err):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("%s: %w", r, err)
	case u.GetDeletionTimestamp() != nil:
		return "", nil
	}
	return u.GetUID(), nil
}

// fluxDeleteCluster is the end of every scenario under Flux: the cluster's folder is removed and
// the commit pushed past the gate (the gate refuses a cluster deletion that is not allowed by name
// in CI; here it is what the user means). Real Flux prunes everything but the Namespace.
func (s *Scenario) fluxDeleteCluster() *fluxCommit {
	s.T.Helper()
	return s.commitDeletion("delete the cluster", true)
}

// checkLastPlan compares the plan of the last commit Apply delivered with what happened.
func (s *Scenario) checkLastPlan() {
	s.T.Helper()
	s.checkPlan(s.last)
}

// prunedKeys lists what Flux pruned for a commit as group/Kind/namespace/name, sorted.
func prunedKeys(c *fluxCommit) []string {
	var out []string
	for r := range c.before.inv {
		if _, still := c.inv[r]; !still && c.changes[r.Subject()] == "deleted" {
			out = append(out, fmt.Sprintf("%s/%s/%s/%s", r.Group, r.Kind, r.Namespace, r.Name))
		}
	}
	sort.Strings(out)
	return out
}

// ApplyAllowed is Apply for an edit the gate refuses unless the cluster is allowed by name (a pool
// removed, a control plane pruned): the plan and the gate get the allowance, as CI would for a
// commit the user marked as meant.
func (s *Scenario) ApplyAllowed(spec string) []*unstructured.Unstructured {
	s.T.Helper()
	s.allow = true
	defer func() { s.allow = false }()
	return s.Apply(spec)
}

package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Fixed local ports of the Flux controllers and the Git server (the providers use 19441-19444,
// 19451-19455, 19461-19465 and 9443): a second run on the machine is refused at start.
const (
	PortFluxSourceHealth     = 19456
	PortFluxKustomizeHealth  = 19457
	PortFluxSourceMetrics    = 19466
	PortFluxKustomizeMetrics = 19467
	PortFluxStorage          = 19471 // source-controller's artifact server, which kustomize-controller downloads from
	PortGit                  = 19472
)

// FluxNamespace is where the Flux objects live, as in a Flux install.
const FluxNamespace = "flux-system"

// FluxController is one Flux controller: its wrapper module (tools/<Wrapper>), its module, the
// binary tools/build.sh builds and its CRDs in the module.
type FluxController struct {
	Name, Wrapper, Module, Bin, CRDDir string
}

// FluxControllers lists the Flux controllers the harness runs: the two a GitRepository plus a
// Kustomization need (no helm-, notification- or image-controllers).
func FluxControllers() []FluxController {
	return []FluxController{
		{Name: "flux-source", Wrapper: "flux-source", Module: "github.com/fluxcd/source-controller", Bin: "source-controller", CRDDir: "config/crd/bases"},
		{Name: "flux-kustomize", Wrapper: "flux-kustomize", Module: "github.com/fluxcd/kustomize-controller", Bin: "kustomize-controller", CRDDir: "config/crd/bases"},
	}
}

var (
	GVKGitRepository = schema.GroupVersionKind{Group: "source.toolkit.fluxcd.io", Version: "v1", Kind: "GitRepository"}
	GVKKustomization = schema.GroupVersionKind{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Kind: "Kustomization"}
)

// Flux is the real source-controller and kustomize-controller running against the management
// cluster, and the Git server their GitRepositories point at.
type Flux struct {
	Git       *GitServer
	Source    *Process
	Kustomize *Process
	c         client.Client
	dir       string // the Git repositories and source-controller's artifact storage
}

// StartFlux installs Flux's CRDs (from the controllers' own modules), starts the Git server and
// both controllers, and waits until they are ready. The controllers join m.Procs, so a scenario's
// wait fails as soon as one exits, their logs are in m.Dir and Management.Stop stops them.
func StartFlux(ctx context.Context, m *Management) (_ *Flux, err error) {
	port := func(n int) string { return "127.0.0.1:" + strconv.Itoa(n) }
	for _, n := range []int{PortFluxSourceHealth, PortFluxKustomizeHealth, PortFluxSourceMetrics, PortFluxKustomizeMetrics, PortFluxStorage, PortGit} {
		l, err := net.Listen("tcp", port(n))
		if err != nil {
			return nil, fmt.Errorf("flux: %s is in use (another e2e run?): %w", port(n), err)
		}
		l.Close()
	}
	for _, fc := range FluxControllers() {
		dir, err := ModuleDir(fc.Wrapper, fc.Module)
		if err != nil {
			return nil, err
		}
		crds, err := LoadCRDs(filepath.Join(dir, fc.CRDDir))
		if err != nil {
			return nil, err
		}
		if err := InstallCRDs(ctx, m.Client, crds); err != nil {
			return nil, err
		}
	}
	if err := m.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: FluxNamespace}}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, err
	}
	// The repositories and source-controller's artifacts in a directory of their own (not in m.Dir):
	// twice during one run on this shared machine m.Dir's git/ vanished under a running scenario
	// (removed by something outside the harness), and a push then failed.
	dir, err := os.MkdirTemp("", "cpt-flux-")
	if err != nil {
		return nil, err
	}
	f := &Flux{c: m.Client, dir: dir}
	defer func() {
		if err != nil {
			f.Stop()
		}
	}()
	gitRoot := filepath.Join(dir, "git")
	if err := os.MkdirAll(gitRoot, 0o755); err != nil {
		return nil, err
	}
	if f.Git, err = StartGitServer(port(PortGit), gitRoot); err != nil {
		return nil, err
	}
	env := []string{"KUBECONFIG=" + m.Kubeconfig, "RUNTIME_NAMESPACE=" + FluxNamespace}
	bin := func(fc FluxController) string { return filepath.Join(m.Bins[fc.Wrapper], fc.Bin) }
	fcs := FluxControllers()
	storage := filepath.Join(dir, "storage")
	if err := os.MkdirAll(storage, 0o755); err != nil {
		return nil, err
	}
	// --events-addr stays empty: no notification-controller; events go to the API server only.
	if f.Source, err = StartProcess(fcs[0].Name, m.Dir, bin(fcs[0]), []string{
		"--storage-path=" + storage, "--storage-addr=" + port(PortFluxStorage), "--storage-adv-addr=" + port(PortFluxStorage),
		"--health-addr=" + port(PortFluxSourceHealth), "--metrics-addr=" + port(PortFluxSourceMetrics), "--watch-all-namespaces=true",
	}, env); err != nil {
		return nil, err
	}
	m.Procs[fcs[0].Name] = f.Source
	if f.Kustomize, err = StartProcess(fcs[1].Name, m.Dir, bin(fcs[1]), []string{
		"--health-addr=" + port(PortFluxKustomizeHealth), "--metrics-addr=" + port(PortFluxKustomizeMetrics), "--watch-all-namespaces=true",
	}, env); err != nil {
		return nil, err
	}
	m.Procs[fcs[1].Name] = f.Kustomize
	if err := f.Source.WaitHTTP(ctx, "http://"+port(PortFluxSourceHealth)+"/readyz", 120*time.Second); err != nil {
		return nil, err
	}
	if err := f.Kustomize.WaitHTTP(ctx, "http://"+port(PortFluxKustomizeHealth)+"/readyz", 120*time.Second); err != nil {
		return nil, err
	}
	return f, nil
}

// Stop closes the Git server and removes the repositories (kept with CPT_E2E_KEEP); the
// controllers are stopped with the management cluster's processes.
func (f *Flux) Stop() {
	if f == nil {
		return
	}
	if f.Git != nil {
		f.Git.Close()
	}
	if os.Getenv("CPT_E2E_KEEP") == "" && f.dir != "" {
		_ = os.RemoveAll(f.dir)
	}
}

// FluxSync is one GitRepository and the Kustomization that applies a path of it, both named
// Name in flux-system: what a user installs once per repository.
type FluxSync struct {
	Name string
	f    *Flux
}

// Sync creates the GitRepository and Kustomization of examples/flux/flux-system/clusters.yaml
// (the objects the user installs), changed only where this machine differs from the user's: the
// name, the repository URL (the harness's Git server, no credentials) and the path. Everything else
// (prune: true, wait: false, force: false, intervals, timeout) is as shipped.
func (f *Flux) Sync(ctx context.Context, name, url, path string) (*FluxSync, error) {
	data, err := os.ReadFile(filepath.Join(RepoRoot(), "examples", "flux", "flux-system", "clusters.yaml"))
	if err != nil {
		return nil, err
	}
	objs, err := ParseObjects(data)
	if err != nil {
		return nil, err
	}
	var made []string
	for _, u := range objs {
		u.SetName(name)
		u.SetNamespace(FluxNamespace)
		switch u.GroupVersionKind() {
		case GVKGitRepository:
			if err := unstructured.SetNestedField(u.Object, url, "spec", "url"); err != nil {
				return nil, err
			}
			unstructured.RemoveNestedField(u.Object, "spec", "secretRef")
		case GVKKustomization:
			if err := unstructured.SetNestedField(u.Object, name, "spec", "sourceRef", "name"); err != nil {
				return nil, err
			}
			if err := unstructured.SetNestedField(u.Object, path, "spec", "path"); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("examples/flux/flux-system/clusters.yaml: unexpected %s", u.GetKind())
		}
		if err := f.c.Create(ctx, u); err != nil {
			return nil, fmt.Errorf("creating %s %s: %w", u.GetKind(), name, err)
		}
		made = append(made, u.GetKind())
	}
	sort.Strings(made)
	if strings.Join(made, ",") != "GitRepository,Kustomization" {
		return nil, fmt.Errorf("examples/flux/flux-system/clusters.yaml holds %v, want one GitRepository and one Kustomization", made)
	}
	return &FluxSync{Name: name, f: f}, nil
}

// Get reads the sync's Kustomization (kind GVKKustomization) or GitRepository.
func (s *FluxSync) Get(ctx context.Context, k schema.GroupVersionKind) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(k)
	return u, s.f.c.Get(ctx, client.ObjectKey{Namespace: FluxNamespace, Name: s.Name}, u)
}

// Revision is the revision Flux names a commit of branch main by.
func Revision(sha string) string { return "main@sha1:" + sha }

// Reconcile asks source-controller to fetch now (the reconcile.fluxcd.io/requestedAt annotation,
// what `flux reconcile source git` sets) and waits until the Kustomization has applied the commit:
// lastAppliedRevision is that commit, Ready is True and the status is of the current generation.
// A Kustomization that failed on that commit ends the wait with Flux's own message.
func (s *FluxSync) Reconcile(ctx context.Context, sha string, timeout time.Duration) error {
	patch := fmt.Sprintf(`{"metadata":{"annotations":{"reconcile.fluxcd.io/requestedAt":%q}}}`, time.Now().Format(time.RFC3339Nano))
	repo := &unstructured.Unstructured{}
	repo.SetGroupVersionKind(GVKGitRepository)
	repo.SetNamespace(FluxNamespace)
	repo.SetName(s.Name)
	if err := s.f.c.Patch(ctx, repo, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		return fmt.Errorf("requesting a fetch of GitRepository %s: %w", s.Name, err)
	}
	want := Revision(sha)
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ks, err := s.Get(ctx, GVKKustomization)
		if err == nil {
			applied, _, _ := unstructured.NestedString(ks.Object, "status", "lastAppliedRevision")
			attempted, _, _ := unstructured.NestedString(ks.Object, "status", "lastAttemptedRevision")
			observed, _, _ := unstructured.NestedInt64(ks.Object, "status", "observedGeneration")
			ready, reason, msg := Condition(ks, "Ready")
			if applied == want && ready == "True" && observed == ks.GetGeneration() {
				return nil
			}
			if attempted == want && ready == "False" {
				return fmt.Errorf("Kustomization %s failed on %s: %s: %s", s.Name, want, reason, msg)
			}
			src, _ := s.Get(ctx, GVKGitRepository)
			srcRev, _, _ := unstructured.NestedString(src.Object, "status", "artifact", "revision")
			sReady, sReason, sMsg := Condition(src, "Ready")
			last = fmt.Sprintf("GitRepository artifact %q (Ready=%s %s: %s); Kustomization applied %q, attempted %q, Ready=%s %s: %s",
				srcRev, sReady, sReason, sMsg, applied, attempted, ready, reason, msg)
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s waiting for Flux to apply %s: %s", timeout, want, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// Condition returns a status condition's status, reason and message ("" when absent).
func Condition(u *unstructured.Unstructured, typ string) (status, reason, message string) {
	if u == nil {
		return "", "", ""
	}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == typ {
			return fmt.Sprint(m["status"]), fmt.Sprint(m["reason"]), fmt.Sprint(m["message"])
		}
	}
	return "", "", ""
}

// ObjRef names an object as Flux's inventory does: API group, kind, namespace, name.
type ObjRef struct {
	Group, Kind, Namespace, Name string
}

func (r ObjRef) String() string {
	g := r.Group
	if g == "" {
		g = "core"
	}
	if r.Namespace == "" {
		return fmt.Sprintf("%s/%s/%s", g, r.Kind, r.Name)
	}
	return fmt.Sprintf("%s/%s/%s/%s", g, r.Kind, r.Namespace, r.Name)
}

// InventoryEntry is one object of a Kustomization's status.inventory: the reference and the API
// version Flux applied it with.
type InventoryEntry struct {
	ObjRef
	Version string
}

// Inventory returns the Kustomization's status.inventory (what Flux applied last and will prune
// when it leaves the source), sorted. Flux writes each entry's id as
// <namespace>_<name>_<group>_<kind> (fluxcd/pkg/ssa's object metadata key).
func (s *FluxSync) Inventory(ctx context.Context) ([]InventoryEntry, error) {
	ks, err := s.Get(ctx, GVKKustomization)
	if err != nil {
		return nil, err
	}
	entries, _, _ := unstructured.NestedSlice(ks.Object, "status", "inventory", "entries")
	var out []InventoryEntry
	for _, e := range entries {
		m, _ := e.(map[string]any)
		id, _ := m["id"].(string)
		v, _ := m["v"].(string)
		parts := strings.Split(id, "_")
		if len(parts) != 4 {
			return nil, fmt.Errorf("Kustomization %s: inventory id %q is not <namespace>_<name>_<group>_<kind>", s.Name, id)
		}
		out = append(out, InventoryEntry{ObjRef: ObjRef{Namespace: parts[0], Name: parts[1], Group: parts[2], Kind: parts[3]}, Version: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, nil
}

// Changes returns what kustomize-controller reports it did to apply a revision for this
// Kustomization, from its log: subject ("Kind/namespace/name", Flux's form, no API group) to
// action (created, configured, unchanged from the server-side apply; deleted, skipped from the
// garbage collection). Every reconcile of that revision is merged (a later one that changes
// something wins over an earlier "unchanged"). The controller logs "Reconciliation finished" with the
// revision after it wrote the status, so this waits (up to 15 s) for that line.
func (s *FluxSync) Changes(revision string) (map[string]string, error) {
	deadline := time.Now().Add(15 * time.Second)
	for {
		out, finished, err := s.changes(revision)
		if err != nil || finished || time.Now().After(deadline) {
			if err == nil && !finished {
				err = fmt.Errorf("kustomize-controller logged no finished reconcile of %s for Kustomization %s", revision, s.Name)
			}
			return out, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *FluxSync) changes(revision string) (map[string]string, bool, error) {
	f, err := os.Open(s.f.Kustomize.LogPath)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	type line struct {
		Msg           string            `json:"msg"`
		ReconcileID   string            `json:"reconcileID"`
		Revision      string            `json:"revision"`
		Output        map[string]string `json:"output"`
		Kustomization struct {
			Name, Namespace string
		} `json:"Kustomization"`
	}
	byID := map[string][]line{}
	var order []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var l line
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Kustomization.Name != s.Name || l.Kustomization.Namespace != FluxNamespace || l.ReconcileID == "" {
			continue
		}
		if _, seen := byID[l.ReconcileID]; !seen {
			order = append(order, l.ReconcileID)
		}
		byID[l.ReconcileID] = append(byID[l.ReconcileID], l)
	}
	if err := sc.Err(); err != nil {
		return nil, false, err
	}
	out := map[string]string{}
	set := func(subject, action string) {
		if prev, ok := out[subject]; !ok || prev == "unchanged" {
			out[subject] = action
		}
	}
	finished := false
	for _, id := range order {
		lines := byID[id]
		rev := ""
		for _, l := range lines {
			if l.Revision != "" {
				rev = l.Revision
			}
		}
		if rev != revision {
			continue
		}
		for _, l := range lines {
			switch {
			case strings.HasPrefix(l.Msg, "Reconciliation finished"):
				finished = true
			case l.Msg == "server-side apply completed":
				for subj, action := range l.Output {
					set(subj, action)
				}
			case strings.HasPrefix(l.Msg, "garbage collection completed: "):
				for _, entry := range strings.Split(strings.TrimPrefix(l.Msg, "garbage collection completed: "), "\n") {
					if i := strings.LastIndex(entry, " "); i > 0 {
						set(entry[:i], entry[i+1:])
					}
				}
			}
		}
	}
	return out, finished, nil
}

// Subject is how Flux's change log names an object: Kind/namespace/name (Kind/name when
// cluster-scoped).
func (r ObjRef) Subject() string {
	if r.Namespace == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Namespace + "/" + r.Name
}

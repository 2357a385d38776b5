package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/capi-proxmox-talos/e2e/harness"
)

// TestChartAdoption: a cluster made by the newest cluster-chart release (0.1.39, applied by a Flux
// Kustomization with prune: true: docs/migrating-from-cluster-chart.md) comes up under the real
// controllers, with its Proxmox credentials in a Secret of the cluster's own namespace, as the chart
// has wanted since 0.1.17; then the render of `import-helm-values --chart-version 0.1.39` for the same
// values replaces the chart's render in Git. What `diff` promises must hold on the live cluster: the
// Namespace, Cluster, ProxmoxCluster, TalosControlPlane and MachineDeployment are updated in place
// (same UIDs: never deleted and recreated), the ProxmoxCluster keeps its credentials Secret, only the
// three superseded templates are pruned, every machine rolls once, surge first, and etcd is never
// bootstrapped again.
//
// The chart's render comes from our model of its templates (test/support/chartModel.ts, run by
// test/support/chart-render.mjs): helm is not on this machine; the model was checked against
// `helm template` of the chart (scripts/chart-parity.mjs), and the jest suites compare it with the
// importer field by field.
func TestChartAdoption(t *testing.T) {
	t.Parallel()
	s := NewScenario(t, "e2e-chart", "127.0.16")
	s.TCPName = "talos-controlplane" // the chart's name, kept by adoptedFrom: cluster-chart
	dir := t.TempDir()

	// A user's values for chart 0.1.39 (what `helm get values --all` prints: every key), on this
	// scenario's loopback network, with one worker so that both kinds of machine roll.
	values := fmt.Sprintf(`cluster:
  name: %[1]s
  kubernetes_version: v1.34.6
  talos_version: v1.12
  image: factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b:v1.12.6
  hostname: []
  internalhost: []
  controlplaneScheduling: true
cni: ""
storage: ""
machine:
  installDisk: /dev/vda
network:
  ip_ranges: [%[2]s.101-%[2]s.120]
  ip_prefix: 24
  gateway: %[2]s.1
  dns_servers: [127.0.0.53]
  certSANs: []
controlplane:
  endpoint_ip: "%[2]s.100"
  machine_count: 1
  machine_template_suffix: controlplane
  boot_volume_size: 40
  num_cores: 4
  num_sockets: 4
  memory_mib: 16384
  cloudProviderManifests:
    - https://raw.githubusercontent.com/siderolabs/talos-cloud-controller-manager/main/docs/deploy/cloud-controller-manager.yml
worker:
  machine_count: 1
  machine_template_suffix: worker
  boot_volume_size: 40
  num_cores: 4
  num_sockets: 4
  memory_mib: 16384
proxmox:
  allowed_nodes: [venus]
  template:
    sourcenode: venus
    template_vmid: 110 # a Talos v1.12.0 disk image (main_test.go), as talos_version says: chart 0.1.39 writes v1.12 documents (HostnameConfig) a v1.11 node refuses
  vm:
    boot_volume_device: virtio0
    bridge: vmbr0
registries:
  enabled: false
  mirrors: {}
`, s.Name, s.Net)
	valuesFile := filepath.Join(dir, "values.yaml")
	chartFile := filepath.Join(dir, "chart-render.yaml")
	specFile := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(valuesFile, []byte(values), 0o600); err != nil {
		t.Fatal(err)
	}
	chartRender := command(t, "node", filepath.Join(harness.RepoRoot(), "test", "support", "chart-render.mjs"), valuesFile, "cluster", "0.1.39")
	if err := os.WriteFile(chartFile, []byte(chartRender), 0o600); err != nil {
		t.Fatal(err)
	}
	chartObjs, err := harness.ParseObjects([]byte(chartRender))
	if err != nil {
		t.Fatal(err)
	}
	// Path B's starting point: the chart's `helm template` output committed, applied by Flux (the
	// commit predates the gate: no spec, no render.sh). The Proxmox credentials are the user's own
	// Secret in the cluster's namespace, kept outside the rendered folder (render.sh's check refuses a
	// file there that no cluster folder renders); the scenario puts it there once Flux has created the
	// namespace, and CAPMOX retries the ProxmoxCluster until it finds it.
	s.last = s.commitRendered("the chart's render", []byte(chartRender))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s.clusterCredentials(ctx)
	s.up(2, 1, 6*time.Minute) // the chart's cluster
	s.checkLastPlan()

	adopted := map[string]types.UID{}
	for _, o := range chartObjs {
		switch o.GetKind() {
		case "Namespace", "Cluster", "ProxmoxCluster", "TalosControlPlane", "MachineDeployment":
			adopted[o.GetKind()+"/"+o.GetName()] = s.uid(o)
		}
	}
	if len(adopted) != 5 {
		t.Fatalf("the chart rendered %d of the 5 objects the handover adopts: %v", len(adopted), adopted)
	}
	old := s.uuids("")

	// The handover, as the guide has the user do it: import the values, check `diff`, commit.
	spec := command(t, filepath.Join(harness.RepoRoot(), "dist", "capi-proxmox-talos"), "import-helm-values", "--chart-version", "0.1.39", valuesFile)
	// The handover rolls every machine anyway: the moment to give the cluster its VM ID range
	// (docs/reference.md, "VM IDs: give each cluster a range"; the chart's machines took Proxmox's next
	// free IDs). Without it, the roll could reuse the
	// old control plane's ID while CAPMOX still deletes it.
	if !strings.Contains(spec, "\n  proxmox:\n") {
		t.Fatalf("the imported spec has no proxmox section:\n%s", spec)
	}
	spec = strings.Replace(spec, "\n  proxmox:\n", fmt.Sprintf("\n  proxmox:\n    vmIDRange: {start: %d, end: %d}\n", s.vmIDStart(), s.vmIDStart()+99), 1)
	if err := os.WriteFile(specFile, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	diff := command(t, filepath.Join(harness.RepoRoot(), "dist", "capi-proxmox-talos"), "diff", chartFile, specFile)
	if !strings.Contains(diff, "\ndeleted: nothing\n") {
		t.Fatalf("diff does not promise that nothing is deleted:\n%s", diff)
	}
	for _, roll := range []string{"rolls 1 control plane one at a time", "rolls 1 machine,"} {
		if !strings.Contains(diff, roll) {
			t.Fatalf("diff does not say %q:\n%s", roll, diff)
		}
	}
	// The handover commit: the imported spec in clusters/<name>/, its render in place of the chart's,
	// through the gate (which must pass it: nothing of the cluster is destroyed) and Flux.
	handover := s.commitSpec("the handover", spec)
	pruned := prunedKeys(handover)
	// Exactly the templates diff names as superseded are pruned.
	var superseded []string
	for _, line := range strings.Split(diff, "\n") {
		if rest, ok := strings.CutPrefix(line, "superseded templates: "); ok {
			rest, _, _ = strings.Cut(rest, " leave the render")
			for _, ref := range strings.Split(rest, ", ") {
				kind, name, _ := strings.Cut(ref, "/")
				group := map[string]string{"ProxmoxMachineTemplate": "infrastructure.cluster.x-k8s.io", "TalosConfigTemplate": "bootstrap.cluster.x-k8s.io"}[kind]
				superseded = append(superseded, fmt.Sprintf("%s/%s/%s/%s", group, kind, s.Name, name))
			}
		}
	}
	sort.Strings(superseded)
	if got, want := strings.Join(pruned, "\n"), strings.Join(superseded, "\n"); got != want || len(pruned) != 3 {
		t.Errorf("pruned by the handover:\n%s\nwant exactly the superseded templates diff lists:\n%s\ndiff said:\n%s", got, want, diff)
	}

	s.replaced("every machine rolled onto the function's templates", 2, 1, old, 8*time.Minute)
	for _, o := range chartObjs {
		if want, ok := adopted[o.GetKind()+"/"+o.GetName()]; ok {
			if got := s.uid(o); got != want {
				t.Errorf("%s/%s was recreated (UID %s -> %s): the handover must update it in place", o.GetKind(), o.GetName(), want, got)
			}
		}
	}
	s.surgeFirst(old, "")
	// The ProxmoxCluster still names the Secret the chart's did: the cluster's own credentials.
	for _, o := range chartObjs {
		if o.GetKind() != "ProxmoxCluster" {
			continue
		}
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(o.GroupVersionKind())
		if err := mgmt.Client.Get(context.Background(), client.ObjectKey{Namespace: s.Name, Name: o.GetName()}, live); err != nil {
			t.Fatal(err)
		}
		ref, _, _ := unstructured.NestedStringMap(live.Object, "spec", "credentialsRef")
		if ref["name"] != "capmox-manager-credentials" || ref["namespace"] != s.Name {
			t.Errorf("after the handover the ProxmoxCluster's credentialsRef is %v, want capmox-manager-credentials in %s (the chart's)", ref, s.Name)
		}
	}
	w := fleet.Workload(s.Name)
	if bootstraps := len(succeeded(talosCalls(w, "Bootstrap"))); bootstraps != 1 {
		t.Errorf("etcd bootstrapped %d times, want once (the handover must join the existing cluster)", bootstraps)
	}
	counts := w.Talos.VotingCounts()
	if len(counts) == 0 || counts[len(counts)-1] != 1 {
		t.Errorf("etcd voting members after each change %v: want one at the end", counts)
	}
	for _, c := range counts {
		if c == 0 {
			t.Errorf("etcd voting members after each change %v: etcd lost its last voting member; the new control plane must be promoted before the old one leaves", counts)
			break
		}
	}
	// The new machines boot the function's Talos config: the control plane is named after its
	// ProxmoxMachine (hostname.source InfrastructureName), which the chart did not set.
	for _, m := range s.List(gvkMachine) {
		m := m
		if _, cp := m.GetLabels()["cluster.x-k8s.io/control-plane"]; !cp {
			continue
		}
		infra, _, _ := unstructured.NestedString(m.Object, "spec", "infrastructureRef", "name")
		if got := configHostname(t, s.bootConfig(&m)); got != infra {
			t.Errorf("control plane %s: its Talos config names the node %q, want its ProxmoxMachine's name %q (hostname.source InfrastructureName)", m.GetName(), got, infra)
		}
	}
	t.Logf("pruned: %v; etcd history %+v", pruned, w.Talos.History())
	s.checkPlan(handover)
	s.deleteCluster()
}

// clusterCredentials puts the Proxmox API credentials into a Secret of the cluster's namespace (which
// Flux created from the chart's render), where the chart's ProxmoxCluster looks for them from 0.1.17 on
// (its users keep them there, SOPS-encrypted): a copy of the provider-wide Secret the harness made.
func (s *Scenario) clusterCredentials(ctx context.Context) {
	s.T.Helper()
	global := &corev1.Secret{}
	if err := mgmt.Client.Get(ctx, client.ObjectKey{Namespace: "capmox-system", Name: "capmox-manager-credentials"}, global); err != nil {
		s.T.Fatal(err)
	}
	own := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: s.Name, Name: "capmox-manager-credentials"}, Data: global.Data}
	if err := mgmt.Client.Create(ctx, own); err != nil {
		s.T.Fatal(err)
	}
}

// uid returns the live object's UID (any API version the render used: the server converts).
func (s *Scenario) uid(o *unstructured.Unstructured) types.UID {
	s.T.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(o.GroupVersionKind())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := mgmt.Client.Get(ctx, client.ObjectKey{Namespace: o.GetNamespace(), Name: o.GetName()}, u); err != nil {
		s.T.Fatalf("%s %s: %v", o.GetKind(), o.GetName(), err)
	}
	return u.GetUID()
}

// command runs a command and returns its standard output; a failure ends the test with stderr.
func command(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := harness.Output(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v", filepath.Base(name), strings.Join(args, " "), err)
	}
	return string(out)
}

// configHostname returns the hostname a Talos config sets: machine.network.hostname (Talos < 1.12)
// or a HostnameConfig document (CABPT's form from Talos 1.12).
func configHostname(t *testing.T, cfg string) string {
	t.Helper()
	docs, err := harness.ReadYAMLDocs([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		var doc struct {
			Version, Kind, Hostname string
			Machine                 struct{ Network struct{ Hostname string } }
		}
		if err := yaml.Unmarshal(d, &doc); err != nil {
			continue
		}
		if doc.Version == "v1alpha1" && doc.Machine.Network.Hostname != "" {
			return doc.Machine.Network.Hostname
		}
		if doc.Kind == "HostnameConfig" && doc.Hostname != "" {
			return doc.Hostname
		}
	}
	return ""
}

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/capi-proxmox-talos/e2e/harness"
)

func goldenCases(t *testing.T) map[string][]*unstructured.Unstructured {
	t.Helper()
	root := filepath.Join(harness.RepoRoot(), "testdata", "golden")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]*unstructured.Unstructured{}
	for _, d := range dirs {
		code, _ := os.ReadFile(filepath.Join(root, d.Name(), "exit-code"))
		if strings.TrimSpace(string(code)) != "0" {
			continue // error cases render nothing to apply
		}
		data, err := os.ReadFile(filepath.Join(root, d.Name(), "expected.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		all, err := harness.ParseObjects(data)
		if err != nil {
			t.Fatalf("%s: %v", d.Name(), err)
		}
		// Only what the function generated: the pass-through cases carry input items that are
		// deliberately odd YAML (numbers as ConfigMap values, no namespace), not ours to apply.
		// The case's own ClusterSpec is the one whose Namespace was generated (an item generated
		// earlier from another ClusterSpec passes through too).
		const genFrom = "capi-proxmox-talos.dev/generated-from"
		mine := map[string]bool{}
		for _, o := range all {
			if o.GetKind() == "Namespace" && o.GetAnnotations()[genFrom] != "" {
				mine[o.GetAnnotations()[genFrom]] = true
			}
		}
		var objs []*unstructured.Unstructured
		for _, o := range all {
			if mine[o.GetAnnotations()[genFrom]] {
				objs = append(objs, o)
			}
		}
		if len(objs) == 0 {
			t.Fatalf("%s: no generated objects", d.Name())
		}
		out[d.Name()] = objs
	}
	if len(out) < 5 {
		t.Fatalf("expected at least 5 golden cases that render, found %d", len(out))
	}
	return out
}

func isLegacy(objs []*unstructured.Unstructured) bool {
	for _, o := range objs {
		if o.GetAPIVersion() == "infrastructure.cluster.x-k8s.io/v1alpha1" {
			return true
		}
	}
	return false
}

// Every golden output is accepted by `kubectl apply --server-side --dry-run=server` with the
// providers' admission and conversion webhooks running (failurePolicy Fail: a webhook that does
// not answer fails the dry-run). Only generated objects: pass-through items are the user's.
func TestGoldenOutputsPassServerDryRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for name, objs := range goldenCases(t) {
		if isLegacy(objs) {
			continue // TestLegacyGoldenDryRun
		}
		t.Run(name, func(t *testing.T) {
			if err := harness.DryRun(ctx, mgmt.Client, objs); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The dry-run really consults the providers' webhooks: objects the CRD schemas accept but a
// webhook rejects fail with that webhook's message.
func TestDryRunReachesProviderWebhooks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	objs := goldenCases(t)["default"]
	find := func(kind string) *unstructured.Unstructured {
		for _, o := range objs {
			if o.GetKind() == kind {
				return o.DeepCopy()
			}
		}
		t.Fatalf("no %s in the default golden output", kind)
		return nil
	}
	ns := find("Namespace")

	md := find("MachineDeployment")
	_ = unstructured.SetNestedField(md.Object, "1.32", "spec", "template", "spec", "version")
	err := harness.DryRun(ctx, mgmt.Client, []*unstructured.Unstructured{ns, md})
	if err == nil || !strings.Contains(err.Error(), "admission webhook") || !strings.Contains(err.Error(), "semantic version") {
		t.Fatalf("CAPI core's MachineDeployment webhook should reject version 1.32, got: %v", err)
	}

	pc := find("ProxmoxCluster")
	_ = unstructured.SetNestedStringSlice(pc.Object, []string{"192.168.4.100-192.168.4.107"}, "spec", "ipv4Config", "addresses")
	err = harness.DryRun(ctx, mgmt.Client, []*unstructured.Unstructured{ns, pc})
	if err == nil || !strings.Contains(err.Error(), "addresses may not contain the endpoint IP") {
		t.Fatalf("CAPMOX's ProxmoxCluster webhook should reject an IP range holding the endpoint, got: %v", err)
	}
}

package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// FieldManager is the field manager Flux's kustomize-controller applies with (the dry-runs use it).
const FieldManager = "kustomize-controller"

// ParseObjects reads a KRM ResourceList or a multi-document stream and returns its objects,
// without the config.kubernetes.io/* and internal.config.kubernetes.io/* annotations (kustomize
// and kpt bookkeeping, never applied to a cluster).
func ParseObjects(data []byte) ([]*unstructured.Unstructured, error) {
	docs, err := ReadYAMLDocs(data)
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	add := func(m map[string]any) {
		u := &unstructured.Unstructured{Object: m}
		ann := u.GetAnnotations()
		for k := range ann {
			if strings.HasPrefix(k, "config.kubernetes.io/") || strings.HasPrefix(k, "internal.config.kubernetes.io/") || strings.HasPrefix(k, "config.k8s.io/") {
				delete(ann, k)
			}
		}
		if len(ann) == 0 {
			ann = nil
		}
		u.SetAnnotations(ann)
		out = append(out, u)
	}
	for _, d := range docs {
		m := map[string]any{}
		if err := yaml.Unmarshal(d, &m); err != nil {
			return nil, err
		}
		if m["kind"] == "ResourceList" {
			items, _ := m["items"].([]any)
			for _, it := range items {
				if im, ok := it.(map[string]any); ok {
					add(im)
				}
			}
			continue
		}
		add(m)
	}
	return out, nil
}

// Render runs the built function's CLI (dist/capi-proxmox-talos render) on a ClusterSpec.
func Render(spec string) ([]*unstructured.Unstructured, error) {
	dir, err := os.MkdirTemp("", "cpt-render-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	f := filepath.Join(dir, "cluster.yaml")
	if err := os.WriteFile(f, []byte(spec), 0o600); err != nil {
		return nil, err
	}
	out, err := Output(filepath.Join(RepoRoot(), "dist", "capi-proxmox-talos"), "render", f)
	if err != nil {
		return nil, fmt.Errorf("render failed: %w", err)
	}
	return ParseObjects(out)
}

// Output runs a command and returns its standard output; a failure's error carries its stderr.
func Output(name string, args ...string) ([]byte, error) {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		return nil, fmt.Errorf("%v\n%s", err, stderr)
	}
	return out, nil
}

// DryRun applies every object with dryRun=All (as kubectl apply --server-side --dry-run=server):
// schemas, CEL, admission and conversion webhooks run; nothing is stored. Namespaces are
// created for real first (a dry-run Namespace does not exist for the objects in it).
func DryRun(ctx context.Context, c client.Client, objs []*unstructured.Unstructured) error {
	var errs []string
	for _, u := range objs {
		if u.GetKind() == "Namespace" {
			if err := c.Patch(ctx, u.DeepCopy(), client.Apply, client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
				return fmt.Errorf("Namespace %s: %w", u.GetName(), err)
			}
		}
	}
	for _, u := range objs {
		if u.GetKind() == "Namespace" {
			continue
		}
		if err := c.Patch(ctx, u.DeepCopy(), client.Apply, client.FieldOwner(FieldManager), client.ForceOwnership, client.DryRunAll); err != nil {
			errs = append(errs, fmt.Sprintf("%s %s/%s: %v", u.GetKind(), u.GetNamespace(), u.GetName(), err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("dry-run rejected %d object(s):\n%s", len(errs), strings.Join(errs, "\n"))
	}
	return nil
}

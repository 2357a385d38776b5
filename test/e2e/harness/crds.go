package harness

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// ProviderAPI says where a provider's CRDs and webhook manifests are in its module, which labels
// its config/crd/kustomization.yaml adds (CAPI core refuses provider CRDs without these
// contract labels), and on which local port its webhook server listens.
type ProviderAPI struct {
	Wrapper, Module string
	CRDDir          string // relative to the module root
	WebhookManifest string // relative to the module root; "" = none
	Labels          map[string]string
	// Conversion: point spec.conversion of multi-version CRDs at this provider's webhook
	// server (the kustomize webhook_in_* patches do this in a real install).
	Conversion  bool
	WebhookPort int
}

// The contract labels are those of each provider's config/crd/kustomization.yaml (commonLabels).
var (
	talosLabels  = map[string]string{"cluster.x-k8s.io/v1alpha3": "v1alpha3", "cluster.x-k8s.io/v1alpha4": "v1alpha3", "cluster.x-k8s.io/v1beta1": "v1alpha3"}
	capmoxLabels = map[string]string{"cluster.x-k8s.io/v1beta1": "v1alpha2", "cluster.x-k8s.io/v1beta2": "v1alpha2"}
)

// PortCAPMOX is CAPMOX's webhook port: v0.9.0 has no flag for it (cmd/main.go), so 9443 and
// the certificates in /tmp/k8s-webhook-server/serving-certs are fixed.
const PortCAPMOX = 9443

// APIs lists the providers the harness installs, in install order.
func APIs() []ProviderAPI {
	return []ProviderAPI{
		{Wrapper: "capi", Module: "sigs.k8s.io/cluster-api", CRDDir: "core/config/crd/bases", WebhookManifest: "core/config/webhook/manifests.yaml", Conversion: true, WebhookPort: 19441},
		{Wrapper: "capmox", Module: "github.com/ionos-cloud/cluster-api-provider-proxmox", CRDDir: "config/crd/bases", WebhookManifest: "config/webhook/manifests.yaml", Labels: capmoxLabels, Conversion: true, WebhookPort: PortCAPMOX},
		{Wrapper: "cabpt", Module: "github.com/siderolabs/cluster-api-bootstrap-provider-talos", CRDDir: "config/crd/bases", WebhookManifest: "config/webhook/manifests.yaml", Labels: talosLabels, WebhookPort: 19442},
		{Wrapper: "cacppt", Module: "github.com/siderolabs/cluster-api-control-plane-provider-talos", CRDDir: "config/crd/bases", WebhookManifest: "config/webhook/manifests.yaml", Labels: talosLabels, WebhookPort: 19443},
		// IPAM's multi-version CRDs keep strategy None (only v1alpha2 is used, by CAPMOX and IPAM alike).
		{Wrapper: "ipam", Module: "sigs.k8s.io/cluster-api-ipam-provider-in-cluster", CRDDir: "config/crd/bases", WebhookManifest: "config/webhook/manifests.yaml", WebhookPort: 19444},
	}
}

// ReadYAMLDocs splits a multi-document YAML file into JSON documents (empty ones dropped).
func ReadYAMLDocs(data []byte) ([][]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(j)) == 0 || string(bytes.TrimSpace(j)) == "null" {
			continue
		}
		docs = append(docs, j)
	}
}

// LoadCRDs reads every CRD file in dir.
func LoadCRDs(dir string) ([]*apiextv1.CustomResourceDefinition, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []*apiextv1.CustomResourceDefinition
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		docs, err := ReadYAMLDocs(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, d := range docs {
			crd := &apiextv1.CustomResourceDefinition{}
			if err := yaml.Unmarshal(d, crd); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if crd.Kind == "CustomResourceDefinition" {
				out = append(out, crd)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no CRDs in %s", dir)
	}
	return out, nil
}

// PrepareCRDs adds the provider's contract labels and, for multi-version CRDs of a provider
// that converts, a conversion webhook at https://127.0.0.1:<port>/convert.
func (p ProviderAPI) PrepareCRDs(crds []*apiextv1.CustomResourceDefinition, caPEM []byte) {
	for _, crd := range crds {
		if crd.Labels == nil {
			crd.Labels = map[string]string{}
		}
		for k, v := range p.Labels {
			crd.Labels[k] = v
		}
		if p.Conversion && len(crd.Spec.Versions) > 1 {
			url := fmt.Sprintf("https://127.0.0.1:%d/convert", p.WebhookPort)
			crd.Spec.Conversion = &apiextv1.CustomResourceConversion{
				Strategy: apiextv1.WebhookConverter,
				Webhook: &apiextv1.WebhookConversion{
					ClientConfig:             &apiextv1.WebhookClientConfig{URL: &url, CABundle: caPEM},
					ConversionReviewVersions: []string{"v1", "v1beta1"},
				},
			}
		}
	}
}

// WebhookConfigs reads the provider's admission webhook manifests and points them at
// https://127.0.0.1:<port><path> instead of the in-cluster Service.
func (p ProviderAPI) WebhookConfigs(moduleDir string, caPEM []byte) ([]client.Object, error) {
	if p.WebhookManifest == "" {
		return nil, nil
	}
	data, err := os.ReadFile(filepath.Join(moduleDir, p.WebhookManifest))
	if err != nil {
		return nil, err
	}
	docs, err := ReadYAMLDocs(data)
	if err != nil {
		return nil, err
	}
	url := func(svc *admissionv1.ServiceReference) *string {
		path := ""
		if svc != nil && svc.Path != nil {
			path = *svc.Path
		}
		u := fmt.Sprintf("https://127.0.0.1:%d%s", p.WebhookPort, path)
		return &u
	}
	var out []client.Object
	for _, d := range docs {
		switch {
		case bytes.Contains(d, []byte(`"kind":"MutatingWebhookConfiguration"`)):
			m := &admissionv1.MutatingWebhookConfiguration{}
			if err := yaml.Unmarshal(d, m); err != nil {
				return nil, err
			}
			m.Name = p.Wrapper + "-" + m.Name
			for i := range m.Webhooks {
				cc := &m.Webhooks[i].ClientConfig
				cc.URL, cc.Service, cc.CABundle = url(cc.Service), nil, caPEM
			}
			out = append(out, m)
		case bytes.Contains(d, []byte(`"kind":"ValidatingWebhookConfiguration"`)):
			v := &admissionv1.ValidatingWebhookConfiguration{}
			if err := yaml.Unmarshal(d, v); err != nil {
				return nil, err
			}
			v.Name = p.Wrapper + "-" + v.Name
			for i := range v.Webhooks {
				cc := &v.Webhooks[i].ClientConfig
				cc.URL, cc.Service, cc.CABundle = url(cc.Service), nil, caPEM
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// InstallCRDs creates (or replaces) the CRDs and waits until each is Established.
func InstallCRDs(ctx context.Context, c client.Client, crds []*apiextv1.CustomResourceDefinition) error {
	for _, crd := range crds {
		crd.ResourceVersion = ""
		if err := c.Create(ctx, crd); err != nil {
			if !apierrors.IsAlreadyExists(err) {
				return fmt.Errorf("creating CRD %s: %w", crd.Name, err)
			}
			cur := &apiextv1.CustomResourceDefinition{}
			if err := c.Get(ctx, client.ObjectKey{Name: crd.Name}, cur); err != nil {
				return err
			}
			crd.ResourceVersion = cur.ResourceVersion
			if err := c.Update(ctx, crd); err != nil {
				return fmt.Errorf("updating CRD %s: %w", crd.Name, err)
			}
		}
	}
	for _, crd := range crds {
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
			cur := &apiextv1.CustomResourceDefinition{}
			if err := c.Get(ctx, client.ObjectKey{Name: crd.Name}, cur); err != nil {
				return false, nil
			}
			for _, cond := range cur.Status.Conditions {
				if cond.Type == apiextv1.Established && cond.Status == apiextv1.ConditionTrue {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return fmt.Errorf("CRD %s not established: %w", crd.Name, err)
		}
	}
	return nil
}

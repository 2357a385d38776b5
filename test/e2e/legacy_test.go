package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/capi-proxmox-talos/e2e/harness"
)

// crdDir is where the upstream CRDs are kept as data (the jest suite reads the same place).
func crdDir() string {
	if d := os.Getenv("CRD_DIR"); d != "" {
		return d
	}
	return filepath.Join(harness.RepoRoot(), "..", "shared", "crds")
}

// The legacy profile targets CAPMOX <= v0.7, which is not on the Go module proxy, so no v0.7
// binary can run: its output is dry-run against a second API server holding CAPMOX v0.7.7's
// CRDs (schema and CEL only, no CAPMOX webhook) and the other providers' CRDs and webhooks
// (CAPI core converts and validates the v1beta1 objects; CABPT/CACPPT validate theirs).
func TestLegacyGoldenDryRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	legacyCRDs := filepath.Join(crdDir(), "cluster-api-provider-proxmox", "v0.7.7")
	if _, err := os.Stat(legacyCRDs); err != nil {
		t.Fatalf("the legacy CAPMOX CRDs are required (set CRD_DIR): %v", err)
	}
	env := &envtest.Environment{BinaryAssetsDirectory: mgmt.Bins["kube"], ControlPlaneStartTimeout: 90 * time.Second}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	c, err := client.New(cfg, client.Options{Scheme: harness.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	if err := harness.InstallProviderAPIs(ctx, c, mgmt.CA.CertPEM, map[string]string{"capmox": legacyCRDs}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, objs := range goldenCases(t) {
		if !isLegacy(objs) {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			if err := harness.DryRun(ctx, c, objs); err != nil {
				t.Fatal(err)
			}
		})
	}
	if n == 0 {
		t.Fatal("no legacy golden case found")
	}
}

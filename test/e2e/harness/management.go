package harness

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Scheme knows core, apiextensions and admissionregistration types; everything else is handled
// as unstructured.
var Scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = apiextv1.AddToScheme(s)
	_ = admissionv1.AddToScheme(s)
	return s
}()

// Management is the management cluster: an envtest API server with every provider's CRDs and
// admission/conversion webhooks, and the providers' real managers running against it.
type Management struct {
	Env        *envtest.Environment
	Config     *rest.Config
	Client     client.Client
	Kubeconfig string
	Dir        string
	CA         *CA
	Procs      map[string]*Process
	Bins       map[string]string
}

// capmoxCertDir is fixed in CAPMOX v0.9.0 (controller-runtime's default webhook cert dir).
const capmoxCertDir = "/tmp/k8s-webhook-server/serving-certs"

// StartManagement builds (if needed) and starts everything. proxmoxURL is the simulator's URL:
// CAPMOX exits at start when it cannot reach Proxmox.
func StartManagement(ctx context.Context, proxmoxURL string) (_ *Management, err error) {
	bins, err := Binaries()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "cpt-e2e-")
	if err != nil {
		return nil, err
	}
	// Not the named result: "return nil, err" would clear it before the deferred Stop, which then
	// panicked on nil and left this run's API server and etcd running (seen when another run held
	// the fixed ports).
	m := &Management{Dir: dir, Procs: map[string]*Process{}, Bins: bins}
	defer func() {
		if err != nil {
			m.Stop()
		}
	}()
	if m.CA, err = NewCA("cpt-e2e-webhooks"); err != nil {
		return nil, err
	}
	m.Env = &envtest.Environment{
		BinaryAssetsDirectory:    bins["kube"],
		ControlPlaneStartTimeout: 90 * time.Second,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	if m.Config, err = m.Env.Start(); err != nil {
		return nil, fmt.Errorf("starting the management API server: %w", err)
	}
	if m.Client, err = client.New(m.Config, client.Options{Scheme: Scheme}); err != nil {
		return nil, err
	}
	m.Kubeconfig = filepath.Join(dir, "management.kubeconfig")
	if err = os.WriteFile(m.Kubeconfig, m.Env.KubeConfig, 0o600); err != nil {
		return nil, err
	}
	if err = InstallProviderAPIs(ctx, m.Client, m.CA.CertPEM, nil); err != nil {
		return nil, err
	}
	if err = m.createCAPMOXCredentials(ctx, proxmoxURL); err != nil {
		return m, err
	}
	if err = m.startProviders(ctx, proxmoxURL); err != nil {
		return nil, err
	}
	return m, nil
}

// InstallProviderAPIs installs every provider's CRDs (contract labels, conversion webhooks) and
// admission webhooks. replace maps a wrapper name to another CRD directory (the legacy profile's
// CAPMOX v0.7.7 CRDs); a replaced provider gets no webhooks (its binary is not running).
func InstallProviderAPIs(ctx context.Context, c client.Client, caPEM []byte, replace map[string]string) error {
	for _, p := range APIs() {
		modDir, err := ModuleDir(p.Wrapper, p.Module)
		if err != nil {
			return err
		}
		crdDir := filepath.Join(modDir, p.CRDDir)
		if alt, ok := replace[p.Wrapper]; ok {
			crdDir = alt
			p.Conversion, p.WebhookManifest = false, ""
		}
		crds, err := LoadCRDs(crdDir)
		if err != nil {
			return err
		}
		p.PrepareCRDs(crds, caPEM)
		if err := InstallCRDs(ctx, c, crds); err != nil {
			return err
		}
		hooks, err := p.WebhookConfigs(modDir, caPEM)
		if err != nil {
			return err
		}
		for _, h := range hooks {
			if err := c.Create(ctx, h); err != nil {
				return fmt.Errorf("creating %s: %w", h.GetName(), err)
			}
		}
	}
	return nil
}

// createCAPMOXCredentials creates the Secret a CAPMOX install keeps its Proxmox API token in
// (capmox-manager-credentials in capmox-system: clusterctl fills it from PROXMOX_URL, PROXMOX_TOKEN and
// PROXMOX_SECRET, and the manager's Deployment reads those back from it; CAPMOX config/default/
// manager_credentials_patch.yaml). The manager here gets the same values in its environment. A
// ProxmoxCluster may also name the Secret in credentialsRef, as the cluster-chart's does: CAPMOX then
// reads url, token and secret from it (pkg/scope/cluster.go, setupProxmoxClient; no "insecure" key
// keeps the pre-v0.7 default, TLS without verification, which the simulator's self-signed
// certificate needs).
func (m *Management) createCAPMOXCredentials(ctx context.Context, proxmoxURL string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "capmox-system"}}
	if err := m.Client.Create(ctx, ns); err != nil {
		return fmt.Errorf("namespace capmox-system: %w", err)
	}
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "capmox-system", Name: "capmox-manager-credentials"},
		StringData: map[string]string{"url": proxmoxURL, "token": CAPMOXToken, "secret": CAPMOXSecret}}
	if err := m.Client.Create(ctx, sec); err != nil {
		return fmt.Errorf("secret capmox-manager-credentials: %w", err)
	}
	return nil
}

// CAPMOXToken and CAPMOXSecret are the Proxmox API token CAPMOX is given (the simulator accepts no other).
const CAPMOXToken, CAPMOXSecret = "root@pam!capmox", "simulated"

type providerRun struct {
	name, wrapper, bin string
	args, env          []string
	health             string // host:port of the health probe
	webhook            int
	certDir            string
}

func (m *Management) startProviders(ctx context.Context, proxmoxURL string) error {
	port := func(n int) string { return "127.0.0.1:" + strconv.Itoa(n) }
	diag := func(n int) []string {
		return []string{"--diagnostics-address=" + port(n), "--insecure-diagnostics"}
	}
	certs := func(name string) string { return filepath.Join(m.Dir, name+"-certs") }
	runs := []providerRun{
		{name: "capi", wrapper: "capi", bin: "capi-manager", health: port(19451), webhook: 19441, certDir: certs("capi"),
			args: append([]string{"--leader-elect=false", "--webhook-port=19441", "--webhook-cert-dir=" + certs("capi"), "--health-addr=" + port(19451)}, diag(19461)...)},
		{name: "capmox", wrapper: "capmox", bin: "capmox-manager", health: port(19452), webhook: PortCAPMOX, certDir: capmoxCertDir,
			args: append([]string{"--leader-elect=false", "--health-probe-bind-address=" + port(19452)}, diag(19462)...),
			env:  []string{"PROXMOX_URL=" + proxmoxURL, "PROXMOX_TOKEN=" + CAPMOXToken, "PROXMOX_SECRET=" + CAPMOXSecret}},
		{name: "cabpt", wrapper: "cabpt", bin: "cabpt-manager", health: port(19453), webhook: 19442, certDir: certs("cabpt"),
			args: append([]string{"--webhook-port=19442", "--webhook-cert-dir=" + certs("cabpt"), "--health-addr=" + port(19453)}, diag(19463)...)},
		{name: "cacppt", wrapper: "cacppt", bin: "cacppt-manager", health: port(19454), webhook: 19443, certDir: certs("cacppt"),
			args: append([]string{"--webhook-port=19443", "--webhook-cert-dir=" + certs("cacppt"), "--health-addr=" + port(19454)}, diag(19464)...)},
		{name: "ipam", wrapper: "ipam", bin: "ipam-manager", health: port(19455), webhook: 19444, certDir: certs("ipam"),
			args: append([]string{"--leader-elect=false", "--webhook-port=19444", "--webhook-cert-dir=" + certs("ipam"), "--health-probe-bind-address=" + port(19455)}, diag(19465)...)},
	}
	// Fixed ports: a second run on the machine (or a left-over one) would answer our readiness
	// checks; refuse to start instead.
	for _, r := range runs {
		for _, addr := range []string{r.health, port(r.webhook)} {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("%s: %s is in use (another e2e run?): %w", r.name, addr, err)
			}
			l.Close()
		}
	}
	for _, r := range runs {
		if err := m.CA.WriteServingCert(r.certDir); err != nil {
			return err
		}
		env := append([]string{"KUBECONFIG=" + m.Kubeconfig}, r.env...)
		p, err := StartProcess(r.name, m.Dir, filepath.Join(m.Bins[r.wrapper], r.bin), r.args, env)
		if err != nil {
			return err
		}
		m.Procs[r.name] = p
	}
	for _, r := range runs {
		p := m.Procs[r.name]
		if err := p.WaitHTTP(ctx, "http://"+r.health+"/readyz", 120*time.Second); err != nil {
			return err
		}
		if err := p.WaitTLS(ctx, port(r.webhook), 60*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// CheckProviders returns an error naming any provider that exited.
func (m *Management) CheckProviders() error {
	for name, p := range m.Procs {
		if ok, err := p.Exited(); ok {
			return fmt.Errorf("provider %s exited (%v):\n%s", name, err, p.Tail(40))
		}
	}
	return nil
}

// Stop stops the providers and the API server; the work directory (logs) is kept when
// CPT_E2E_KEEP is set.
func (m *Management) Stop() {
	for _, p := range m.Procs {
		p.Stop()
	}
	if m.Env != nil {
		_ = m.Env.Stop()
	}
	if os.Getenv("CPT_E2E_KEEP") == "" && m.Dir != "" {
		_ = os.RemoveAll(m.Dir)
	}
}

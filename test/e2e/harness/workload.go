package harness

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// KeyPair is a PEM certificate and key.
type KeyPair struct{ Cert, Key []byte }

func parseKeyPair(kp KeyPair) (*x509.Certificate, any, error) {
	cb, _ := pem.Decode(kp.Cert)
	kb, _ := pem.Decode(kp.Key)
	if cb == nil || kb == nil {
		return nil, nil, errors.New("not a PEM certificate and key")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	var key any
	if key, err = x509.ParsePKCS8PrivateKey(kb.Bytes); err != nil {
		if key, err = x509.ParseECPrivateKey(kb.Bytes); err != nil {
			if key, err = x509.ParsePKCS1PrivateKey(kb.Bytes); err != nil {
				return nil, nil, fmt.Errorf("CA key (%s): %w", kb.Type, err)
			}
		}
	}
	return cert, key, nil
}

// issue signs a certificate with the CA (any key type Go can sign with).
func issue(ca KeyPair, cn string, orgs []string, hosts []string, usage x509.ExtKeyUsage) (KeyPair, error) {
	caCert, caKey, err := parseKeyPair(ca)
	if err != nil {
		return KeyPair{}, err
	}
	der, key, err := signLeaf(caCert, caKey, cn, orgs, hosts, usage)
	if err != nil {
		return KeyPair{}, err
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return KeyPair{}, err
	}
	return KeyPair{Cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		Key: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})}, nil
}

// clusterCAAuthn makes envtest's API server trust client certificates of the workload cluster's
// own Kubernetes CA (the one CABPT generated and CACPPT signs the <cluster>-kubeconfig with),
// instead of envtest's throw-away CA.
type clusterCAAuthn struct {
	ca  KeyPair
	dir string
}

func (a *clusterCAAuthn) Configure(workDir string, args *envtest.Arguments) error {
	a.dir = workDir
	args.Set("client-ca-file", filepath.Join(workDir, "cluster-ca.crt"))
	return nil
}

func (a *clusterCAAuthn) Start() error {
	return os.WriteFile(filepath.Join(a.dir, "cluster-ca.crt"), a.ca.Cert, 0o600)
}

func (a *clusterCAAuthn) AddUser(user envtest.User, base *rest.Config) (*rest.Config, error) {
	kp, err := issue(a.ca, user.Name, user.Groups, nil, x509.ExtKeyUsageClientAuth)
	if err != nil {
		return nil, err
	}
	cfg := rest.CopyConfig(base)
	cfg.CertData, cfg.KeyData = kp.Cert, kp.Key
	return cfg, nil
}

func (a *clusterCAAuthn) Stop() error { return nil }

// StartWorkloadAPIServer starts an API server (and its etcd) that plays a workload cluster's
// control plane: it listens on host:port (the control-plane endpoint), serves a certificate
// from the cluster's Kubernetes CA and accepts client certificates from it, so the kubeconfig
// CACPPT writes works unchanged.
func StartWorkloadAPIServer(kubeBin, host, port string, k8sCA KeyPair) (*envtest.Environment, *rest.Config, error) {
	dir, err := os.MkdirTemp("", "cpt-workload-")
	if err != nil {
		return nil, nil, err
	}
	serving, err := issue(k8sCA, "kube-apiserver", nil, []string{host, "127.0.0.1", "localhost"}, x509.ExtKeyUsageServerAuth)
	if err != nil {
		return nil, nil, err
	}
	sa, err := NewCA("service-accounts")
	if err != nil {
		return nil, nil, err
	}
	saKey, err := x509.MarshalPKCS8PrivateKey(sa.Key)
	if err != nil {
		return nil, nil, err
	}
	for name, data := range map[string][]byte{
		"apiserver.crt": serving.Cert, "apiserver.key": serving.Key,
		"sa-signer.crt": sa.CertPEM, "sa-signer.key": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: saKey}),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return nil, nil, err
		}
	}
	api := &envtest.APIServer{CertDir: dir}
	api.SecureServing.ListenAddr = envtest.ListenAddr{Address: host, Port: port}
	api.SecureServing.Authn = &clusterCAAuthn{ca: k8sCA}
	api.SecureServing.CA = k8sCA.Cert
	env := &envtest.Environment{
		BinaryAssetsDirectory:    kubeBin,
		ControlPlane:             envtest.ControlPlane{APIServer: api},
		ControlPlaneStartTimeout: 90 * time.Second,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, nil, fmt.Errorf("starting the workload API server at %s:%s: %w", host, port, err)
	}
	return env, cfg, nil
}

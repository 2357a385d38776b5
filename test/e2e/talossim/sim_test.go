package talossim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"testing"
	"time"

	"github.com/siderolabs/talos/pkg/machinery/api/machine"
	talosclient "github.com/siderolabs/talos/pkg/machinery/client"
	clientconfig "github.com/siderolabs/talos/pkg/machinery/client/config"
	"google.golang.org/grpc/codes"
)

// An Ed25519 CA like Talos's OS CA, and a client certificate from it (as in a talosconfig).
func talosCA(t *testing.T) (caCrt, caKey, crt, key []byte) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{Organization: []string{"talos"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	kb, _ := x509.MarshalPKCS8PrivateKey(priv)
	cpub, cpriv, _ := ed25519.GenerateKey(rand.Reader)
	ctmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{Organization: []string{"os:admin"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	cder, err := x509.CreateCertificate(rand.Reader, ctmpl, ca, cpub, priv)
	if err != nil {
		t.Fatal(err)
	}
	ckb, _ := x509.MarshalPKCS8PrivateKey(cpriv)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "ED25519 PRIVATE KEY", Bytes: kb}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cder}), pem.EncodeToMemory(&pem.Block{Type: "ED25519 PRIVATE KEY", Bytes: ckb})
}

// The simulator answers the Talos machinery client the way CACPPT builds it
// (controllers/configs.go: WithDefaultGRPCDialOptions, WithEndpoints, WithConfig) and the
// bootstrap sequence of controllers/taloscontrolplane_controller.go bootstrapCluster works.
func TestCACPPTCallSequence(t *testing.T) {
	caCrt, caKey, crt, key := talosCA(t)
	c := NewCluster("sim")
	bootstrapped := make(chan struct{})
	c.OnBootstrap = func() { close(bootstrapped) }
	for addr, host := range map[string]string{"127.0.99.11": "cp-a", "127.0.99.12": "cp-b"} {
		if err := c.StartNode(addr, host, caCrt, caKey); err != nil {
			t.Fatal(err)
		}
	}
	defer c.Stop()
	b64 := base64.StdEncoding.EncodeToString
	cfg := &clientconfig.Config{Context: "sim", Contexts: map[string]*clientconfig.Context{"sim": {CA: b64(caCrt), Crt: b64(crt), Key: b64(key)}}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cl, err := talosclient.New(ctx, talosclient.WithDefaultGRPCDialOptions(), talosclient.WithEndpoints("127.0.99.11"), talosclient.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()

	existing := func() int {
		list, err := cl.LS(talosclient.WithNodes(ctx, "127.0.99.11", "127.0.99.12"), &machine.ListRequest{Root: "/var/lib/etcd/member"})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			info, err := list.Recv()
			if errors.Is(err, io.EOF) {
				return n
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Metadata.Error == "" {
				n++
			}
		}
	}
	if n := existing(); n != 0 {
		t.Fatalf("etcd data on %d nodes before bootstrap", n)
	}
	if _, err := cl.EtcdMemberList(ctx, &machine.EtcdMemberListRequest{}); err == nil {
		t.Fatal("member list answered before bootstrap")
	}
	if err := cl.Bootstrap(talosclient.WithNodes(ctx, "127.0.99.11"), &machine.BootstrapRequest{}); err != nil {
		t.Fatal(err)
	}
	<-bootstrapped
	if err := cl.Bootstrap(talosclient.WithNodes(ctx, "127.0.99.11"), &machine.BootstrapRequest{}); talosclient.StatusCode(err) != codes.AlreadyExists {
		t.Fatalf("second bootstrap: %v, want AlreadyExists", err)
	}
	if n := existing(); n != 2 {
		t.Fatalf("etcd data on %d nodes after bootstrap, want 2", n)
	}
	svcs, err := cl.ServiceInfo(ctx, "etcd")
	if err != nil || len(svcs) != 1 || svcs[0].Service.State != "Running" || !svcs[0].Service.GetHealth().GetHealthy() {
		t.Fatalf("etcd service: %v %v", svcs, err)
	}
	resp, err := cl.EtcdMemberList(ctx, &machine.EtcdMemberListRequest{})
	if err != nil || len(resp.Messages) != 1 || len(resp.Messages[0].Members) != 2 || resp.Messages[0].Metadata.GetHostname() != "cp-a" {
		t.Fatalf("members: %v %v", resp, err)
	}
	// gracefulEtcdLeave on cp-a, then cp-b removes a stale member by ID.
	if _, err := cl.EtcdForfeitLeadership(ctx, &machine.EtcdForfeitLeadershipRequest{}); err != nil {
		t.Fatal(err)
	}
	if err := cl.EtcdLeaveCluster(ctx, &machine.EtcdLeaveClusterRequest{}); err != nil {
		t.Fatal(err)
	}
	if m := c.Members(); len(m) != 1 || m[0] != "cp-b" {
		t.Fatalf("members after leave: %v", m)
	}
	events := make(chan talosclient.EventResult)
	ectx, ecancel := context.WithTimeout(ctx, time.Second)
	defer ecancel()
	if err := cl.EventsWatchV2(ectx, events, talosclient.WithTailEvents(-1)); err != nil {
		t.Fatal(err)
	}
}

package talossim

// Contract tests: the simulator answered through the Talos machinery client the way CACPPT v0.5.13
// builds it (controllers/configs.go: WithDefaultGRPCDialOptions, WithEndpoints, WithConfig), and the
// node boot simulation fed with configs that Talos's own generator makes. Each test names the Talos or
// etcd rule it holds the simulator to.

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
	"strings"
	"testing"
	"time"

	"github.com/siderolabs/talos/pkg/machinery/api/machine"
	talosclient "github.com/siderolabs/talos/pkg/machinery/client"
	clientconfig "github.com/siderolabs/talos/pkg/machinery/client/config"
	talosconfig "github.com/siderolabs/talos/pkg/machinery/config"
	"github.com/siderolabs/talos/pkg/machinery/config/generate"
	cfgmachine "github.com/siderolabs/talos/pkg/machinery/config/machine"
	"google.golang.org/grpc/codes"
)

type keyPair struct{ crt, key []byte }

// An Ed25519 CA like Talos's OS CA.
func talosCA(t *testing.T) keyPair {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{Organization: []string{"talos"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalPKCS8PrivateKey(priv)
	return keyPair{pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "ED25519 PRIVATE KEY", Bytes: kb})}
}

// clientCert issues a talosconfig client certificate with the given roles (organizations).
func clientCert(t *testing.T, ca keyPair, roles ...string) keyPair {
	t.Helper()
	cb, _ := pem.Decode(ca.crt)
	caCert, _ := x509.ParseCertificate(cb.Bytes)
	kb, _ := pem.Decode(ca.key)
	caKey, _ := x509.ParsePKCS8PrivateKey(kb.Bytes)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{Organization: roles},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, pub, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := x509.MarshalPKCS8PrivateKey(priv)
	return keyPair{pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "ED25519 PRIVATE KEY", Bytes: pk})}
}

func dial(t *testing.T, ca, cert keyPair, endpoint string) *talosclient.Client {
	t.Helper()
	b64 := base64.StdEncoding.EncodeToString
	cfg := &clientconfig.Config{Context: "sim", Contexts: map[string]*clientconfig.Context{"sim": {CA: b64(ca.crt), Crt: b64(cert.crt), Key: b64(cert.key)}}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	cl, err := talosclient.New(ctx, talosclient.WithDefaultGRPCDialOptions(), talosclient.WithEndpoints(endpoint), talosclient.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

func tctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var fast = Options{PromoteDelay: 300 * time.Millisecond, HealthDelay: 100 * time.Millisecond, BootTime: 200 * time.Millisecond}

// The bootstrap sequence of controllers/taloscontrolplane_controller.go bootstrapCluster works; the second
// control plane joins as a learner, is reported as such and unhealthy, and is promoted after the delay;
// the only voting member cannot leave; a member can leave once another voting member runs.
func TestCACPPTCallSequenceWithLearners(t *testing.T) {
	ca := talosCA(t)
	admin := clientCert(t, ca, "os:admin")
	c := NewClusterWithOptions("sim", fast)
	bootstrapped := make(chan struct{})
	c.OnBootstrap = func() { close(bootstrapped) }
	if err := c.StartNode("127.0.99.11", "cp-a", "v1.11.1", ca.crt, ca.key); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	cl := dial(t, ca, admin, "127.0.99.11")

	existing := func() int {
		list, err := cl.LS(talosclient.WithNodes(tctx(t), "127.0.99.11"), &machine.ListRequest{Root: "/var/lib/etcd/member"})
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
	if _, err := cl.EtcdMemberList(tctx(t), &machine.EtcdMemberListRequest{}); err == nil {
		t.Fatal("member list answered before bootstrap")
	}
	if err := cl.Bootstrap(talosclient.WithNodes(tctx(t), "127.0.99.11"), &machine.BootstrapRequest{}); err != nil {
		t.Fatal(err)
	}
	<-bootstrapped
	if err := cl.Bootstrap(talosclient.WithNodes(tctx(t), "127.0.99.11"), &machine.BootstrapRequest{}); talosclient.StatusCode(err) != codes.AlreadyExists {
		t.Fatalf("second bootstrap: %v, want AlreadyExists", err)
	}
	// The only voting member cannot forfeit leadership nor leave (etcd keeps quorum).
	if _, err := cl.EtcdForfeitLeadership(tctx(t), &machine.EtcdForfeitLeadershipRequest{}); err == nil {
		t.Error("the only member forfeited leadership")
	}
	if err := cl.EtcdLeaveCluster(tctx(t), &machine.EtcdLeaveClusterRequest{}); err == nil || !strings.Contains(err.Error(), "not enough started members") {
		t.Errorf("the only member left etcd: %v", err)
	}

	if err := c.StartNode("127.0.99.12", "cp-b", "v1.11.1", ca.crt, ca.key); err != nil {
		t.Fatal(err)
	}
	members := func() map[string]bool {
		resp, err := cl.EtcdMemberList(tctx(t), &machine.EtcdMemberListRequest{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, m := range resp.Messages[0].Members {
			out[m.Hostname] = m.IsLearner
		}
		return out
	}
	etcdHealthy := func(node string) (string, bool) {
		svcs, err := cl.ServiceInfo(talosclient.WithNodes(tctx(t), node), "etcd")
		if err != nil || len(svcs) != 1 {
			t.Fatalf("etcd service on %s: %v %v", node, svcs, err)
		}
		return svcs[0].Service.State, svcs[0].Service.GetHealth().GetHealthy()
	}
	if m := members(); len(m) != 2 || m["cp-a"] || !m["cp-b"] {
		t.Fatalf("members after cp-b started: %v, want cp-a voting and cp-b a learner", m)
	}
	time.Sleep(150 * time.Millisecond) // past the health delay, before the promotion
	if state, healthy := etcdHealthy("127.0.99.12"); state != "Running" || healthy {
		t.Errorf("etcd of a learner: %s healthy=%v, want Running and unhealthy", state, healthy)
	}
	// The old member may not leave while its replacement is a learner: no voting member would be left.
	if err := cl.EtcdLeaveCluster(tctx(t), &machine.EtcdLeaveClusterRequest{}); err == nil {
		t.Fatal("cp-a left etcd while cp-b was still a learner")
	}
	time.Sleep(fast.PromoteDelay)
	if m := members(); m["cp-b"] {
		t.Fatalf("cp-b still a learner after the promotion delay: %v", m)
	}
	if _, healthy := etcdHealthy("127.0.99.12"); !healthy {
		t.Errorf("etcd of the promoted cp-b is not healthy")
	}
	if _, err := cl.EtcdForfeitLeadership(tctx(t), &machine.EtcdForfeitLeadershipRequest{}); err != nil {
		t.Fatal(err)
	}
	if err := cl.EtcdLeaveCluster(tctx(t), &machine.EtcdLeaveClusterRequest{}); err != nil {
		t.Fatal(err)
	}
	if m := c.Members(); len(m) != 1 || m[0] != "cp-b" {
		t.Fatalf("members after cp-a left: %v", m)
	}
	if got := c.VotingCounts(); len(got) != 4 || got[0] != 1 || got[1] != 1 || got[2] != 2 || got[3] != 1 {
		t.Errorf("voting members after each change: %v, want 1 (bootstrap), 1 (+learner), 2 (promoted), 1 (left)", got)
	}
}

// A node reports its boot as CACPPT's ensureNodesBooted reads it: a boot START, and a STOP once booted.
func TestBootSequenceEvents(t *testing.T) {
	ca := talosCA(t)
	c := NewClusterWithOptions("sim", Options{PromoteDelay: time.Second, HealthDelay: time.Second, BootTime: 700 * time.Millisecond})
	if err := c.StartNode("127.0.99.21", "cp-a", "v1.11.1", ca.crt, ca.key); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	cl := dial(t, ca, clientCert(t, ca, "os:reader"), "127.0.99.21")
	boot := func(window time.Duration) (started, stopped bool) {
		ctx, cancel := context.WithTimeout(context.Background(), window)
		defer cancel()
		ch := make(chan talosclient.EventResult)
		if err := cl.EventsWatchV2(ctx, ch, talosclient.WithTailEvents(-1)); err != nil {
			t.Fatal(err)
		}
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-ch:
				if ev.Error != nil {
					continue
				}
				if se, ok := ev.Event.Payload.(*machine.SequenceEvent); ok && se.GetSequence() == "boot" {
					if ev.Event.Node != "cp-a" {
						t.Errorf("event from node %q, want cp-a", ev.Event.Node)
					}
					switch se.GetAction() {
					case machine.SequenceEvent_START:
						started = true
					case machine.SequenceEvent_STOP:
						stopped = true
					}
				}
			}
		}
	}
	if started, stopped := boot(300 * time.Millisecond); !started || stopped {
		t.Errorf("during boot: start=%v stop=%v, want a boot that has not finished", started, stopped)
	}
	time.Sleep(500 * time.Millisecond)
	if started, stopped := boot(300 * time.Millisecond); !started || !stopped {
		t.Errorf("after boot: start=%v stop=%v, want both", started, stopped)
	}
}

// apid accepts only client certificates of the node's OS CA, and checks the roles in them.
func TestClientCertificatesAndRoles(t *testing.T) {
	ca, other := talosCA(t), talosCA(t)
	c := NewClusterWithOptions("sim", fast)
	if err := c.StartNode("127.0.99.31", "cp-a", "v1.11.1", ca.crt, ca.key); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	stranger := dial(t, ca, clientCert(t, other, "os:admin"), "127.0.99.31")
	if _, err := stranger.ServiceList(tctx(t)); err == nil {
		t.Error("a client certificate of another CA was accepted")
	}
	reader := dial(t, ca, clientCert(t, ca, "os:reader"), "127.0.99.31")
	if _, err := reader.ServiceList(tctx(t)); err != nil {
		t.Errorf("os:reader ServiceList: %v", err)
	}
	if err := reader.Bootstrap(tctx(t), &machine.BootstrapRequest{}); talosclient.StatusCode(err) != codes.PermissionDenied {
		t.Errorf("os:reader Bootstrap: %v, want PermissionDenied", err)
	}
	if c.Bootstrapped() {
		t.Error("a reader bootstrapped etcd")
	}
	none := dial(t, ca, clientCert(t, ca), "127.0.99.31")
	if _, err := none.ServiceList(tctx(t)); talosclient.StatusCode(err) != codes.PermissionDenied {
		t.Errorf("no role ServiceList: %v, want PermissionDenied", err)
	}
}

// A stopped member still counts for quorum: etcd refuses to remove a started voting member when the
// remaining voting members would not have a started majority.
func TestQuorumRefusal(t *testing.T) {
	ca := talosCA(t)
	admin := clientCert(t, ca, "os:admin")
	c := NewClusterWithOptions("sim", fast)
	defer c.Stop()
	for i, a := range []string{"127.0.99.41", "127.0.99.42", "127.0.99.43"} {
		if err := c.StartNode(a, "cp-"+string(rune('a'+i)), "v1.11.1", ca.crt, ca.key); err != nil {
			t.Fatal(err)
		}
	}
	cl := dial(t, ca, admin, "127.0.99.41")
	if err := cl.Bootstrap(talosclient.WithNodes(tctx(t), "127.0.99.41"), &machine.BootstrapRequest{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(c.Learners()) > 0 || len(c.Members()) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("members %v learners %v: the joins were not promoted one after the other", c.Members(), c.Learners())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if h := c.History(); len(h) != 5 || len(h[1].Learners) != 1 || len(h[3].Learners) != 1 {
		t.Errorf("membership history %+v: want bootstrap, learner, promotion, learner, promotion (one learner at a time)", h)
	}
	c.StopNode("127.0.99.43") // cp-c's VM is gone; it is still a member, not started
	// Removing cp-b would leave cp-a and the stopped cp-c: one started of two, no quorum.
	if err := dial(t, ca, admin, "127.0.99.42").EtcdLeaveCluster(tctx(t), &machine.EtcdLeaveClusterRequest{}); err == nil {
		t.Fatal("etcd let cp-b leave with cp-c down")
	}
	resp, err := cl.EtcdMemberList(tctx(t), &machine.EtcdMemberListRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range resp.Messages[0].Members {
		if m.Hostname == "cp-c" {
			if err := cl.EtcdRemoveMemberByID(tctx(t), &machine.EtcdRemoveMemberByIDRequest{MemberId: m.Id}); err != nil {
				t.Fatalf("removing the stopped cp-c: %v", err)
			}
		}
	}
	if m := c.Members(); len(m) != 2 {
		t.Errorf("members after removing cp-c: %v", m)
	}
}

func genConfig(t *testing.T, contract *talosconfig.VersionContract, image string) []byte {
	t.Helper()
	in, err := generate.NewInput("sim", "https://127.0.0.1:6443", "1.32.0", generate.WithVersionContract(contract),
		generate.WithInstallImage(image), generate.WithInstallDisk("/dev/vda"), generate.WithInstallExtraKernelArgs([]string{"console=ttyS1"}))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := in.Config(cfgmachine.TypeControlPlane)
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A node loads its config as its Talos version does: a v1.11 node refuses the documents of a v1.12
// config (Talos 1.12 has HostnameConfig, 1.11 does not), a v1.12 node loads it; a config that Talos's
// validation refuses is refused. An installer ISO installs machine.install.image on the install disk
// and runs that version with the extra kernel arguments; a disk image runs its own version and does
// not apply them; an install disk the VM lacks stops the node.
func TestBootAsAVersionDoes(t *testing.T) {
	v112 := genConfig(t, talosconfig.TalosVersion1_12, "factory.talos.dev/nocloud-installer/x:v1.12.0")
	if !strings.Contains(string(v112), "kind: HostnameConfig") {
		t.Fatalf("a v1.12 config without a HostnameConfig document; the test's premise is gone:\n%s", v112)
	}
	if _, err := LoadConfig("v1.11.1", v112); err == nil || !strings.Contains(err.Error(), `"HostnameConfig" "v1alpha1": not registered`) {
		t.Errorf("a v1.11 node loading a v1.12 config: %v", err)
	}
	if _, err := LoadConfig("v1.12.0", v112); err != nil {
		t.Errorf("a v1.12 node loading a v1.12 config: %v", err)
	}
	broken := strings.Replace(string(v112), "    nodeLabels:\n", "    nodeLabels:\n        \"bad label!\": x\n", 1)
	if _, err := LoadConfig("v1.12.0", []byte(broken)); err == nil || !strings.Contains(err.Error(), "invalid machine node labels") {
		t.Errorf("a config with an invalid node label: %v", err)
	}

	v111 := genConfig(t, talosconfig.TalosVersion1_11, "factory.talos.dev/nocloud-installer/x:v1.11.1")
	// The v1.11 ISO reads the config before it installs anything: it refuses the v1.12 config.
	b := Boot(Machine{Version: "v1.11.1", Installer: true, Disks: []string{"/dev/vda"}}, v112)
	if b.Err == nil || !strings.Contains(b.Err.Error(), "not registered") || b.Installed != "" {
		t.Errorf("ISO v1.11.1 with a v1.12 config: %+v", b)
	}
	b = Boot(Machine{Version: "v1.12.0", Installer: true, Disks: []string{"/dev/vda"}}, genConfig(t, talosconfig.TalosVersion1_12, "factory.talos.dev/nocloud-installer/x:v1.12.1"))
	if b.Err != nil || b.Version != "v1.12.1" || b.Installed != "factory.talos.dev/nocloud-installer/x:v1.12.1" || strings.Join(b.KernelArgs, " ") != "console=ttyS1" {
		t.Errorf("ISO v1.12.0 installing v1.12.1: %+v", b)
	}
	b = Boot(Machine{Version: "v1.11.1", Disks: []string{"/dev/vda"}}, genConfig(t, talosconfig.TalosVersion1_11, "factory.talos.dev/nocloud-installer/x:v1.12.0"))
	if b.Err != nil || b.Version != "v1.11.1" || b.Installed != "" || len(b.KernelArgs) != 0 {
		t.Errorf("disk image v1.11.1 with install image v1.12.0: %+v, want it to run v1.11.1 and install nothing", b)
	}
	b = Boot(Machine{Version: "v1.11.1", Installer: true, Disks: []string{"/dev/sda"}}, v111)
	if b.Err == nil || !strings.Contains(b.Err.Error(), `install disk "/dev/vda" not found`) {
		t.Errorf("ISO install onto a missing disk: %+v", b)
	}
	if got := KubeletVersion(b.Config); got != "v1.32.0" {
		t.Errorf("kubelet version %q, want v1.32.0 (the config's kubelet image)", got)
	}
}

// Package talossim serves the part of the Talos machine API (gRPC, port 50000) that the real
// CACPPT v0.5.13 calls, built from the Talos machinery module's own service definitions
// (github.com/siderolabs/talos/pkg/machinery/api/machine). One Cluster models the etcd
// membership of one workload cluster; each control-plane VM that runs gets a Node: a gRPC server
// on <its address>:50000 with a serving certificate from the Talos OS CA in its machine config.
//
// Calls, and where CACPPT v0.5.13 makes them (controllers/):
//   - List /var/lib/etcd/member on every CP (nodes metadata)   bootstrapCluster: has any node bootstrapped etcd?
//   - Bootstrap on the first CP address                        bootstrapCluster
//   - ServiceList (ServiceInfo "etcd")                         etcdHealthcheck, nodesHealthcheck, gracefulEtcdLeave
//   - EtcdMemberList                                           etcdHealthcheck, auditEtcd
//   - EtcdForfeitLeadership, EtcdLeaveCluster                  gracefulEtcdLeave (scale down / rollout)
//   - EtcdRemoveMemberByID                                     forceEtcdLeave (member without a Machine)
//   - Events (first empty event, then nothing)                 ensureNodesBooted (scale up/down preflight)
//
// Membership follows Talos: nothing is a member before Bootstrap; Bootstrap makes the bootstrap
// node a member and every running control plane joins; a control plane started later joins at
// once; EtcdLeaveCluster and EtcdRemoveMemberByID remove a member.
package talossim

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/siderolabs/talos/pkg/machinery/api/common"
	"github.com/siderolabs/talos/pkg/machinery/api/machine"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Port is the Talos API port.
const Port = 50000

// Call is one recorded API call.
type Call struct {
	Time    time.Time
	Node    string   // hostname of the node that served it
	Method  string   // e.g. "Bootstrap"
	Targets []string // nodes metadata (addresses), if any
	Error   string
}

// Cluster is the Talos/etcd state of one workload cluster.
type Cluster struct {
	Name string
	// OnBootstrap runs (in its own goroutine) after the first successful Bootstrap call.
	OnBootstrap func()

	mu           sync.Mutex
	bootstrapped bool
	members      map[string]uint64 // hostname -> etcd member ID
	nextID       uint64
	nodes        map[string]*Node // by address
	calls        []Call
	sizes        []int // the member count after each change
}

// Node is one control plane's Talos API server.
type Node struct {
	Addr, Name string
	cluster    *Cluster
	srv        *grpc.Server
	machine.UnimplementedMachineServiceServer
}

// NewCluster returns an empty cluster.
func NewCluster(name string) *Cluster {
	return &Cluster{Name: name, members: map[string]uint64{}, nodes: map[string]*Node{}, nextID: 0x1000}
}

// StartNode serves the Talos API for a control plane at address:50000, with a certificate
// signed by the Talos OS CA (PEM certificate and key, as in machine.ca of its machine config).
func (c *Cluster) StartNode(address, hostname string, caCrt, caKey []byte) error {
	cert, err := servingCert(address, caCrt, caKey)
	if err != nil {
		return fmt.Errorf("talossim %s: %w", hostname, err)
	}
	lis, err := net.Listen("tcp", net.JoinHostPort(address, fmt.Sprint(Port)))
	if err != nil {
		return fmt.Errorf("talossim %s: %w", hostname, err)
	}
	n := &Node{Addr: address, Name: hostname, cluster: c}
	n.srv = grpc.NewServer(grpc.Creds(credentials.NewTLS(&tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAnyClientCert, // Talos requires a client certificate (from the talosconfig)
		MinVersion:   tls.VersionTLS12,
	})))
	machine.RegisterMachineServiceServer(n.srv, n)
	c.mu.Lock()
	if old := c.nodes[address]; old != nil {
		old.srv.Stop()
	}
	c.nodes[address] = n
	if c.bootstrapped {
		c.join(hostname)
	}
	c.mu.Unlock()
	go func() { _ = n.srv.Serve(lis) }()
	return nil
}

// StopNode stops the Talos API of a control plane whose VM went away (its etcd membership
// stays until someone removes it, as on a real cluster).
func (c *Cluster) StopNode(address string) {
	c.mu.Lock()
	n := c.nodes[address]
	delete(c.nodes, address)
	c.mu.Unlock()
	if n != nil {
		n.srv.Stop()
	}
}

// Stop stops every node.
func (c *Cluster) Stop() {
	c.mu.Lock()
	nodes := c.nodes
	c.nodes = map[string]*Node{}
	c.mu.Unlock()
	for _, n := range nodes {
		n.srv.Stop()
	}
}

// Members returns the etcd member hostnames, sorted.
func (c *Cluster) Members() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for h := range c.members {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// Bootstrapped reports whether Bootstrap was called.
func (c *Cluster) Bootstrapped() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bootstrapped
}

// Calls returns a copy of the call log.
func (c *Cluster) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Call(nil), c.calls...)
}

// MemberCounts returns the etcd member count after each change of membership, in order (what
// a quorum check during a rollout looks at).
func (c *Cluster) MemberCounts() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.sizes...)
}

func (c *Cluster) join(hostname string) {
	if _, ok := c.members[hostname]; !ok {
		c.nextID++
		c.members[hostname] = c.nextID
		c.sizes = append(c.sizes, len(c.members))
	}
}

// leave removes a member (c.mu held).
func (c *Cluster) leave(hostname string) {
	delete(c.members, hostname)
	c.sizes = append(c.sizes, len(c.members))
}

func (n *Node) record(ctx context.Context, method string, err error) {
	md, _ := metadata.FromIncomingContext(ctx)
	call := Call{Time: time.Now(), Node: n.Name, Method: method, Targets: md.Get("nodes")}
	if err != nil {
		call.Error = err.Error()
	}
	n.cluster.mu.Lock()
	n.cluster.calls = append(n.cluster.calls, call)
	n.cluster.mu.Unlock()
}

// targets resolves the nodes metadata (addresses) to nodes; without it, the serving node.
func (n *Node) targets(ctx context.Context) ([]*Node, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	addrs := md.Get("nodes")
	if len(addrs) == 0 {
		return []*Node{n}, nil
	}
	var out []*Node
	for _, a := range addrs {
		t := n.cluster.nodes[a]
		if t == nil {
			return nil, status.Errorf(codes.Unavailable, "connection to node %s refused", a)
		}
		out = append(out, t)
	}
	return out, nil
}

func (n *Node) meta() *common.Metadata { return &common.Metadata{Hostname: n.Name} }

// List answers the etcd data directory probe: it exists on nodes that are etcd members.
func (n *Node) List(req *machine.ListRequest, stream grpc.ServerStreamingServer[machine.FileInfo]) (err error) {
	defer func() { n.record(stream.Context(), "List "+req.GetRoot(), err) }()
	n.cluster.mu.Lock()
	targets, err := n.targets(stream.Context())
	var infos []*machine.FileInfo
	for _, t := range targets {
		fi := &machine.FileInfo{Metadata: t.meta(), Name: req.GetRoot(), IsDir: true, Modified: time.Now().Unix()}
		if _, member := n.cluster.members[t.Name]; !member || req.GetRoot() != "/var/lib/etcd/member" {
			fi = &machine.FileInfo{Metadata: &common.Metadata{Hostname: t.Name, Error: "lstat " + req.GetRoot() + ": no such file or directory"}}
		}
		infos = append(infos, fi)
	}
	n.cluster.mu.Unlock()
	if err != nil {
		return err
	}
	for _, fi := range infos {
		if err := stream.Send(fi); err != nil {
			return err
		}
	}
	return nil
}

// Bootstrap bootstraps etcd on the target node, once per cluster.
func (n *Node) Bootstrap(ctx context.Context, _ *machine.BootstrapRequest) (resp *machine.BootstrapResponse, err error) {
	defer func() { n.record(ctx, "Bootstrap", err) }()
	c := n.cluster
	c.mu.Lock()
	targets, err := n.targets(ctx)
	if err != nil {
		c.mu.Unlock()
		return nil, err
	}
	if c.bootstrapped {
		c.mu.Unlock()
		return nil, status.Error(codes.AlreadyExists, "etcd data directory is not empty")
	}
	c.bootstrapped = true
	c.join(targets[0].Name)
	for _, other := range c.nodes {
		c.join(other.Name)
	}
	c.mu.Unlock()
	if c.OnBootstrap != nil {
		go c.OnBootstrap()
	}
	return &machine.BootstrapResponse{Messages: []*machine.Bootstrap{{Metadata: targets[0].meta()}}}, nil
}

// ServiceList reports apid, machined, kubelet and etcd; etcd runs only on members.
func (n *Node) ServiceList(ctx context.Context, _ *emptypb.Empty) (resp *machine.ServiceListResponse, err error) {
	defer func() { n.record(ctx, "ServiceList", err) }()
	n.cluster.mu.Lock()
	defer n.cluster.mu.Unlock()
	targets, err := n.targets(ctx)
	if err != nil {
		return nil, err
	}
	resp = &machine.ServiceListResponse{}
	now := timestamppb.Now()
	svc := func(id, state string, health *machine.ServiceHealth) *machine.ServiceInfo {
		return &machine.ServiceInfo{Id: id, State: state, Health: health,
			Events: &machine.ServiceEvents{Events: []*machine.ServiceEvent{{Msg: "simulated", State: state, Ts: now}}}}
	}
	healthy := &machine.ServiceHealth{Healthy: true, LastChange: now}
	for _, t := range targets {
		etcd := svc("etcd", "Preparing", &machine.ServiceHealth{Unknown: true})
		if _, member := n.cluster.members[t.Name]; member {
			etcd = svc("etcd", "Running", healthy)
		}
		resp.Messages = append(resp.Messages, &machine.ServiceList{Metadata: t.meta(), Services: []*machine.ServiceInfo{
			svc("apid", "Running", healthy), svc("machined", "Running", healthy), svc("kubelet", "Running", healthy), etcd,
		}})
	}
	return resp, nil
}

// EtcdMemberList lists the members, as seen by a node whose etcd runs.
func (n *Node) EtcdMemberList(ctx context.Context, _ *machine.EtcdMemberListRequest) (resp *machine.EtcdMemberListResponse, err error) {
	defer func() { n.record(ctx, "EtcdMemberList", err) }()
	c := n.cluster
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, member := c.members[n.Name]; !member {
		return nil, status.Error(codes.Unavailable, "etcd is not running on "+n.Name)
	}
	msg := &machine.EtcdMembers{Metadata: n.meta()}
	var hosts []string
	for h := range c.members {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		msg.Members = append(msg.Members, &machine.EtcdMember{Id: c.members[h], Hostname: h})
	}
	return &machine.EtcdMemberListResponse{Messages: []*machine.EtcdMembers{msg}}, nil
}

// EtcdForfeitLeadership is a no-op that reports the node as the member that forfeited.
func (n *Node) EtcdForfeitLeadership(ctx context.Context, _ *machine.EtcdForfeitLeadershipRequest) (resp *machine.EtcdForfeitLeadershipResponse, err error) {
	defer func() { n.record(ctx, "EtcdForfeitLeadership", err) }()
	return &machine.EtcdForfeitLeadershipResponse{Messages: []*machine.EtcdForfeitLeadership{{Metadata: n.meta(), Member: n.Name}}}, nil
}

// EtcdLeaveCluster removes the serving node from etcd.
func (n *Node) EtcdLeaveCluster(ctx context.Context, _ *machine.EtcdLeaveClusterRequest) (resp *machine.EtcdLeaveClusterResponse, err error) {
	defer func() { n.record(ctx, "EtcdLeaveCluster", err) }()
	c := n.cluster
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, member := c.members[n.Name]; !member {
		return nil, status.Error(codes.FailedPrecondition, n.Name+" is not an etcd member")
	}
	c.leave(n.Name)
	return &machine.EtcdLeaveClusterResponse{Messages: []*machine.EtcdLeaveCluster{{Metadata: n.meta()}}}, nil
}

// EtcdRemoveMemberByID removes another member.
func (n *Node) EtcdRemoveMemberByID(ctx context.Context, req *machine.EtcdRemoveMemberByIDRequest) (resp *machine.EtcdRemoveMemberByIDResponse, err error) {
	defer func() { n.record(ctx, "EtcdRemoveMemberByID", err) }()
	c := n.cluster
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, id := range c.members {
		if id == req.GetMemberId() {
			c.leave(h)
			return &machine.EtcdRemoveMemberByIDResponse{Messages: []*machine.EtcdRemoveMemberByID{{Metadata: n.meta()}}}, nil
		}
	}
	return nil, status.Errorf(codes.NotFound, "etcd member %x not found", req.GetMemberId())
}

// Events sends the empty event that opens a watch, then nothing until the client hangs up.
func (n *Node) Events(req *machine.EventsRequest, stream grpc.ServerStreamingServer[machine.Event]) error {
	n.record(stream.Context(), "Events", nil)
	if err := stream.Send(&machine.Event{}); err != nil {
		return err
	}
	<-stream.Context().Done()
	return nil
}

func servingCert(address string, caCrtPEM, caKeyPEM []byte) (tls.Certificate, error) {
	cb, _ := pem.Decode(caCrtPEM)
	kb, _ := pem.Decode(caKeyPEM)
	if cb == nil || kb == nil {
		return tls.Certificate{}, errors.New("the machine config has no usable machine.ca certificate and key")
	}
	ca, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return tls.Certificate{}, err
	}
	var caKey any
	if caKey, err = x509.ParsePKCS8PrivateKey(kb.Bytes); err != nil {
		if caKey, err = x509.ParseECPrivateKey(kb.Bytes); err != nil {
			if caKey, err = x509.ParsePKCS1PrivateKey(kb.Bytes); err != nil {
				return tls.Certificate{}, fmt.Errorf("Talos CA key (%s): %w", kb.Type, err)
			}
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: address},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP(address)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.Raw}, PrivateKey: key}, nil
}

// Package talossim serves the part of the Talos machine API (gRPC, port 50000) that the real
// CACPPT v0.5.13 calls, built from the Talos machinery module's own service definitions
// (github.com/siderolabs/talos/pkg/machinery/api/machine, v1.14.1). One Cluster models the etcd
// membership of one workload cluster; each control-plane VM that booted gets a Node: a gRPC server on
// <its address>:50000 with a serving certificate from the Talos OS CA in its machine config.
//
// Calls, and where CACPPT v0.5.13 makes them (controllers/):
//   - List /var/lib/etcd/member on every CP (nodes metadata)   bootstrapCluster: has any node bootstrapped etcd?
//   - Bootstrap on the first CP address                        bootstrapCluster
//   - ServiceList (ServiceInfo "etcd")                         etcdHealthcheck, nodesHealthcheck, gracefulEtcdLeave
//   - EtcdMemberList                                           etcdHealthcheck, auditEtcd
//   - EtcdForfeitLeadership, EtcdLeaveCluster                  gracefulEtcdLeave (scale down / rollout)
//   - EtcdRemoveMemberByID                                     forceEtcdLeave (member without a Machine)
//   - Events (boot sequence events)                            ensureNodesBooted (scale up/down preflight)
//
// What Talos and etcd do, and the simulator with them:
//   - apid accepts only client certificates of the machine's OS CA, and every method needs one of its
//     roles, read from the certificate's organizations (os:admin for Bootstrap and the etcd changes, also
//     os:operator / os:reader for the reads): internal/app/machined/pkg/system/services/machined.go.
//   - a control plane that starts after etcd was bootstrapped joins as a learner (MemberAddAsLearner), at
//     most one learner at a time (etcd's default); Talos retries promoting it until etcd accepts, which
//     etcd does once the learner caught up (internal/app/machined/pkg/system/services/etcd.go). A learner
//     does not serve the quorum read Talos's etcd health check makes, so its etcd service is unhealthy
//     until promoted; the health is unknown for a while after etcd started (HealthSettings).
//   - etcd refuses to remove a voting member when the voting members left, counting only started ones,
//     would have no quorum ("re-configuration failed due to not enough started members",
//     go.etcd.io/etcd/server/v3 etcdserver mayRemoveMember, IsReadyToRemoveVotingMember); a learner can
//     always be removed. Leadership cannot be forfeited by the only member.
//   - a node reports its boot sequence as events: sequence "boot" START when it starts, STOP when the
//     boot finished, and machine status BOOTING then RUNNING.
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
	"strings"
	"sync"
	"time"

	"github.com/siderolabs/talos/pkg/machinery/api/common"
	"github.com/siderolabs/talos/pkg/machinery/api/machine"
	"github.com/siderolabs/talos/pkg/machinery/role"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Port is the Talos API port.
const Port = 50000

// Options are the timings of a simulated cluster. Zero values take DefaultOptions.
type Options struct {
	PromoteDelay time.Duration // a learner is promoted this long after it joined (Talos retries every 15 s)
	HealthDelay  time.Duration // etcd health is unknown this long after etcd started (Talos: first check after 5 s)
	BootTime     time.Duration // from boot sequence START to STOP
}

// DefaultOptions are much shorter than real Talos's (a join is promoted at its second attempt, ~15 s; the
// health check runs 5 s after etcd starts, then every 20 s; a boot takes tens of seconds) so the harness
// stays fast; every state exists, and a fault (HoldPromotions) holds one as long as a scenario needs.
var DefaultOptions = Options{PromoteDelay: time.Second, HealthDelay: 500 * time.Millisecond, BootTime: time.Second}

// Call is one recorded API call.
type Call struct {
	Time    time.Time
	Node    string   // hostname of the node that served it
	Method  string   // e.g. "Bootstrap"
	Targets []string // nodes metadata (addresses), if any
	Error   string
}

// Membership is the etcd membership after a change.
type Membership struct {
	Time             time.Time
	Voting, Learners []string
	Change           string // e.g. "cp-1 joined as a learner"
}

type member struct {
	id      uint64
	host    string
	learner bool
	joined  time.Time
}

// Cluster is the Talos/etcd state of one workload cluster.
type Cluster struct {
	Name string
	// OnBootstrap runs (in its own goroutine) after the first successful Bootstrap call.
	OnBootstrap func()

	opts         Options
	mu           sync.Mutex
	bootstrapped bool
	members      map[string]*member // hostname -> member
	waiting      []string           // hosts whose etcd waits to join (one learner at a time)
	holdPromote  bool               // fault: learners are not promoted
	nextID       uint64
	nodes        map[string]*Node // by address
	calls        []Call
	history      []Membership
}

// Node is one control plane's Talos API server.
type Node struct {
	Addr, Name   string
	TalosVersion string
	cluster      *Cluster
	srv          *grpc.Server
	mu           sync.Mutex
	events       []*machine.Event
	machine.UnimplementedMachineServiceServer
}

// NewCluster returns an empty cluster with the default timings.
func NewCluster(name string) *Cluster { return NewClusterWithOptions(name, Options{}) }

// NewClusterWithOptions returns an empty cluster.
func NewClusterWithOptions(name string, o Options) *Cluster {
	if o.PromoteDelay == 0 {
		o.PromoteDelay = DefaultOptions.PromoteDelay
	}
	if o.HealthDelay == 0 {
		o.HealthDelay = DefaultOptions.HealthDelay
	}
	if o.BootTime == 0 {
		o.BootTime = DefaultOptions.BootTime
	}
	return &Cluster{Name: name, opts: o, members: map[string]*member{}, nodes: map[string]*Node{}, nextID: 0x1000}
}

// StartNode serves the Talos API of a control plane running Talos version at address:50000, with a
// certificate signed by the Talos OS CA (PEM certificate and key, as in machine.ca of its machine
// config); it accepts only client certificates of that CA.
func (c *Cluster) StartNode(address, hostname, version string, caCrt, caKey []byte) error {
	cert, err := servingCert(address, caCrt, caKey)
	if err != nil {
		return fmt.Errorf("talossim %s: %w", hostname, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caCrt) {
		return fmt.Errorf("talossim %s: the OS CA certificate does not parse", hostname)
	}
	lis, err := net.Listen("tcp", net.JoinHostPort(address, fmt.Sprint(Port)))
	if err != nil {
		return fmt.Errorf("talossim %s: %w", hostname, err)
	}
	n := &Node{Addr: address, Name: hostname, TalosVersion: version, cluster: c}
	n.srv = grpc.NewServer(
		grpc.Creds(credentials.NewTLS(&tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    pool,
			MinVersion:   tls.VersionTLS12,
		})),
		grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
			if err := authorize(ctx, info.FullMethod); err != nil {
				n.record(ctx, strings.TrimPrefix(info.FullMethod, "/machine.MachineService/"), err)
				return nil, err
			}
			return handler(ctx, req)
		}),
		grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
			if err := authorize(ss.Context(), info.FullMethod); err != nil {
				n.record(ss.Context(), strings.TrimPrefix(info.FullMethod, "/machine.MachineService/"), err)
				return err
			}
			return handler(srv, ss)
		}),
	)
	machine.RegisterMachineServiceServer(n.srv, n)
	n.event(&machine.SequenceEvent{Sequence: "boot", Action: machine.SequenceEvent_START})
	n.event(&machine.MachineStatusEvent{Stage: machine.MachineStatusEvent_BOOTING, Status: &machine.MachineStatusEvent_MachineStatus{}})
	time.AfterFunc(c.opts.BootTime, func() {
		n.event(&machine.SequenceEvent{Sequence: "boot", Action: machine.SequenceEvent_STOP})
		n.event(&machine.MachineStatusEvent{Stage: machine.MachineStatusEvent_RUNNING, Status: &machine.MachineStatusEvent_MachineStatus{Ready: true}})
	})
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

// methodRoles are the roles that may call each method (Talos machined's authorization rules).
var methodRoles = map[string]role.Set{
	"Bootstrap":             role.MakeSet(role.Admin),
	"EtcdForfeitLeadership": role.MakeSet(role.Admin),
	"EtcdLeaveCluster":      role.MakeSet(role.Admin),
	"EtcdRemoveMemberByID":  role.MakeSet(role.Admin),
	"EtcdMemberList":        role.MakeSet(role.Admin, role.Operator, role.Reader, role.EtcdBackup),
	"Events":                role.MakeSet(role.Admin, role.Operator, role.Reader),
	"List":                  role.MakeSet(role.Admin, role.Operator, role.Reader),
	"ServiceList":           role.MakeSet(role.Admin, role.Operator, role.Reader),
}

// authorize checks the client certificate's roles (its organizations) against the method's.
func authorize(ctx context.Context, fullMethod string) error {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return status.Error(codes.PermissionDenied, "not authorized")
	}
	ti, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(ti.State.PeerCertificates) == 0 {
		return status.Error(codes.PermissionDenied, "not authorized")
	}
	roles, _ := role.Parse(ti.State.PeerCertificates[0].Subject.Organization)
	allowed, known := methodRoles[strings.TrimPrefix(fullMethod, "/machine.MachineService/")]
	if !known || !roles.IncludesAny(allowed) {
		return status.Error(codes.PermissionDenied, "not authorized")
	}
	return nil
}

// StopNode stops the Talos API of a control plane whose VM went away. Its etcd membership stays until
// someone removes it, as on a real cluster, but it is no longer started.
func (c *Cluster) StopNode(address string) {
	c.mu.Lock()
	n := c.nodes[address]
	delete(c.nodes, address)
	if n != nil {
		c.waiting = remove(c.waiting, n.Name)
	}
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

// HoldPromotions keeps every learner a learner (a fault: a joining member that never catches up)
// until it is called with false.
func (c *Cluster) HoldPromotions(hold bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.holdPromote = hold
	if !hold {
		for _, m := range c.members {
			if m.learner {
				c.schedulePromotion(m.host, 0)
			}
		}
	}
}

// Members returns the etcd member hostnames (learners too), sorted.
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

// Learners returns the hostnames of the members that are learners, sorted.
func (c *Cluster) Learners() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for h, m := range c.members {
		if m.learner {
			out = append(out, h)
		}
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

// History returns the membership after each change, in order.
func (c *Cluster) History() []Membership {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Membership(nil), c.history...)
}

// MemberCounts returns the number of members (learners included) after each change of membership.
func (c *Cluster) MemberCounts() []int {
	var out []int
	for _, h := range c.History() {
		out = append(out, len(h.Voting)+len(h.Learners))
	}
	return out
}

// VotingCounts returns the number of voting members after each change of membership: what quorum is
// made of.
func (c *Cluster) VotingCounts() []int {
	var out []int
	for _, h := range c.History() {
		out = append(out, len(h.Voting))
	}
	return out
}

// snapshot records the membership (c.mu held).
func (c *Cluster) snapshot(change string) {
	m := Membership{Time: time.Now(), Change: change}
	for h, mem := range c.members {
		if mem.learner {
			m.Learners = append(m.Learners, h)
		} else {
			m.Voting = append(m.Voting, h)
		}
	}
	sort.Strings(m.Voting)
	sort.Strings(m.Learners)
	c.history = append(c.history, m)
}

// join adds a started control plane to etcd: the first one (bootstrap) as a voting member, later ones
// as a learner, one learner at a time (c.mu held).
func (c *Cluster) join(hostname string) {
	if _, ok := c.members[hostname]; ok {
		return
	}
	c.nextID++
	if len(c.members) == 0 {
		c.members[hostname] = &member{id: c.nextID, host: hostname, joined: time.Now()}
		c.snapshot(hostname + " bootstrapped etcd")
		return
	}
	for _, m := range c.members {
		if m.learner {
			if !contains(c.waiting, hostname) {
				c.waiting = append(c.waiting, hostname)
			}
			return
		}
	}
	c.waiting = remove(c.waiting, hostname)
	c.members[hostname] = &member{id: c.nextID, host: hostname, learner: true, joined: time.Now()}
	c.snapshot(hostname + " joined as a learner")
	c.schedulePromotion(hostname, c.opts.PromoteDelay)
}

// schedulePromotion promotes a learner after d unless promotions are held (c.mu held).
func (c *Cluster) schedulePromotion(hostname string, d time.Duration) {
	time.AfterFunc(d, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		m := c.members[hostname]
		// Talos on the learner's node promotes it; a learner whose node is gone stays one.
		if m == nil || !m.learner || c.holdPromote || !c.started(hostname) {
			return
		}
		m.learner = false
		c.snapshot(hostname + " promoted")
		for _, w := range c.waiting {
			if c.nodeByName(w) != nil {
				c.join(w)
				return
			}
		}
	})
}

func (c *Cluster) nodeByName(host string) *Node {
	for _, n := range c.nodes {
		if n.Name == host {
			return n
		}
	}
	return nil
}

// started reports whether a member's etcd runs: its node is up (c.mu held).
func (c *Cluster) started(host string) bool { return c.nodeByName(host) != nil }

// removeMember removes a member as etcd does, refusing to leave the voting members without quorum
// (c.mu held).
func (c *Cluster) removeMember(m *member) error {
	if !m.learner {
		nmembers, nstarted := 0, 0
		for h, other := range c.members {
			if h == m.host || other.learner {
				continue
			}
			nmembers++
			if c.started(h) {
				nstarted++
			}
		}
		if nstarted < nmembers/2+1 {
			return fmt.Errorf("failed to remove member %d: etcdserver: re-configuration failed due to not enough started members", m.id)
		}
	}
	delete(c.members, m.host)
	c.snapshot(m.host + " removed")
	for _, w := range c.waiting {
		if c.nodeByName(w) != nil && m.learner {
			c.join(w)
			break
		}
	}
	return nil
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

// event appends an event to the node's event log.
func (n *Node) event(msg proto.Message) {
	data, _ := proto.Marshal(msg)
	n.mu.Lock()
	defer n.mu.Unlock()
	n.events = append(n.events, &machine.Event{
		Metadata: &common.Metadata{Hostname: n.Name},
		Data:     &anypb.Any{TypeUrl: "talos/runtime/" + string(msg.ProtoReflect().Descriptor().FullName()), Value: data},
		Id:       fmt.Sprintf("%s-%d", n.Name, len(n.events)),
	})
}

// targets resolves the nodes metadata (addresses) to nodes; without it, the serving node (c.mu held).
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

// Bootstrap bootstraps etcd on the target node, once per cluster; the other running control planes
// then join, as learners one at a time.
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
	var others []string
	for _, other := range c.nodes {
		others = append(others, other.Name)
	}
	sort.Strings(others)
	for _, o := range others {
		c.join(o)
	}
	c.mu.Unlock()
	if c.OnBootstrap != nil {
		go c.OnBootstrap()
	}
	return &machine.BootstrapResponse{Messages: []*machine.Bootstrap{{Metadata: targets[0].meta()}}}, nil
}

// etcdService is the etcd service as a node's machined reports it (c.mu held).
func (c *Cluster) etcdService(host string, now *timestamppb.Timestamp) *machine.ServiceInfo {
	ev := func(state, msg string) *machine.ServiceEvents {
		return &machine.ServiceEvents{Events: []*machine.ServiceEvent{{Msg: msg, State: state, Ts: now}}}
	}
	m := c.members[host]
	switch {
	case m == nil && contains(c.waiting, host):
		return &machine.ServiceInfo{Id: "etcd", State: "Preparing", Health: &machine.ServiceHealth{Unknown: true},
			Events: ev("Preparing", "Running pre state: error adding member: etcdserver: too many learner members in cluster")}
	case m == nil:
		return &machine.ServiceInfo{Id: "etcd", State: "Preparing", Health: &machine.ServiceHealth{Unknown: true}, Events: ev("Preparing", "Running pre state")}
	case time.Since(m.joined) < c.opts.HealthDelay:
		return &machine.ServiceInfo{Id: "etcd", State: "Running", Health: &machine.ServiceHealth{Unknown: true}, Events: ev("Running", "Health check pending")}
	case m.learner:
		return &machine.ServiceInfo{Id: "etcd", State: "Running", Events: ev("Running", "Health check failed: etcdserver: rpc not supported for learner"),
			Health: &machine.ServiceHealth{Healthy: false, LastMessage: "etcdserver: rpc not supported for learner", LastChange: now}}
	default:
		return &machine.ServiceInfo{Id: "etcd", State: "Running", Health: &machine.ServiceHealth{Healthy: true, LastChange: now}, Events: ev("Running", "Health check successful")}
	}
}

// ServiceList reports apid, machined, kubelet and etcd.
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
	svc := func(id string) *machine.ServiceInfo {
		return &machine.ServiceInfo{Id: id, State: "Running", Health: &machine.ServiceHealth{Healthy: true, LastChange: now},
			Events: &machine.ServiceEvents{Events: []*machine.ServiceEvent{{Msg: "Health check successful", State: "Running", Ts: now}}}}
	}
	for _, t := range targets {
		resp.Messages = append(resp.Messages, &machine.ServiceList{Metadata: t.meta(), Services: []*machine.ServiceInfo{
			svc("apid"), svc("machined"), svc("kubelet"), n.cluster.etcdService(t.Name, now),
		}})
	}
	return resp, nil
}

// EtcdMemberList lists the members, learners flagged, as seen through the cluster's etcd (it fails
// while no started voting member exists).
func (n *Node) EtcdMemberList(ctx context.Context, _ *machine.EtcdMemberListRequest) (resp *machine.EtcdMemberListResponse, err error) {
	defer func() { n.record(ctx, "EtcdMemberList", err) }()
	c := n.cluster
	c.mu.Lock()
	defer c.mu.Unlock()
	leader := false
	for h, m := range c.members {
		if !m.learner && c.started(h) {
			leader = true
		}
	}
	if !leader {
		return nil, status.Error(codes.Unavailable, "etcdserver: no leader")
	}
	msg := &machine.EtcdMembers{Metadata: n.meta()}
	var hosts []string
	for h := range c.members {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		m := c.members[h]
		msg.Members = append(msg.Members, &machine.EtcdMember{Id: m.id, Hostname: h, IsLearner: m.learner})
		msg.LegacyMembers = append(msg.LegacyMembers, h)
	}
	return &machine.EtcdMemberListResponse{Messages: []*machine.EtcdMembers{msg}}, nil
}

// EtcdForfeitLeadership hands leadership to another member; the only member cannot.
func (n *Node) EtcdForfeitLeadership(ctx context.Context, _ *machine.EtcdForfeitLeadershipRequest) (resp *machine.EtcdForfeitLeadershipResponse, err error) {
	defer func() { n.record(ctx, "EtcdForfeitLeadership", err) }()
	c := n.cluster
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, member := c.members[n.Name]; !member {
		return nil, status.Error(codes.FailedPrecondition, n.Name+" is not an etcd member")
	}
	if len(c.members) == 1 {
		return nil, errors.New("cannot forfeit leadership, only one member")
	}
	return &machine.EtcdForfeitLeadershipResponse{Messages: []*machine.EtcdForfeitLeadership{{Metadata: n.meta(), Member: n.Name}}}, nil
}

// EtcdLeaveCluster removes the serving node from etcd, if etcd lets it.
func (n *Node) EtcdLeaveCluster(ctx context.Context, _ *machine.EtcdLeaveClusterRequest) (resp *machine.EtcdLeaveClusterResponse, err error) {
	defer func() { n.record(ctx, "EtcdLeaveCluster", err) }()
	c := n.cluster
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.members[n.Name]
	if m == nil {
		return nil, status.Error(codes.FailedPrecondition, n.Name+" is not an etcd member")
	}
	if err := c.removeMember(m); err != nil {
		return nil, fmt.Errorf("failed to leave cluster: %w", err)
	}
	return &machine.EtcdLeaveClusterResponse{Messages: []*machine.EtcdLeaveCluster{{Metadata: n.meta()}}}, nil
}

// EtcdRemoveMemberByID removes another member, if etcd lets it.
func (n *Node) EtcdRemoveMemberByID(ctx context.Context, req *machine.EtcdRemoveMemberByIDRequest) (resp *machine.EtcdRemoveMemberByIDResponse, err error) {
	defer func() { n.record(ctx, "EtcdRemoveMemberByID", err) }()
	c := n.cluster
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.members {
		if m.id == req.GetMemberId() {
			if err := c.removeMember(m); err != nil {
				return nil, fmt.Errorf("failed to remove member: %w", err)
			}
			return &machine.EtcdRemoveMemberByIDResponse{Messages: []*machine.EtcdRemoveMemberByID{{Metadata: n.meta()}}}, nil
		}
	}
	return nil, status.Errorf(codes.NotFound, "etcdserver: member not found")
}

// Events sends the empty event that opens a watch, then the node's events (all with tail -1, the last
// n with tail n, none with 0), then each new one until the client hangs up.
func (n *Node) Events(req *machine.EventsRequest, stream grpc.ServerStreamingServer[machine.Event]) error {
	n.record(stream.Context(), "Events", nil)
	if err := stream.Send(&machine.Event{}); err != nil {
		return err
	}
	n.mu.Lock()
	sent := len(n.events)
	switch tail := int(req.GetTailEvents()); {
	case tail < 0:
		sent = 0
	case tail < sent:
		sent -= tail
	}
	n.mu.Unlock()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		n.mu.Lock()
		pending := append([]*machine.Event(nil), n.events[sent:]...)
		n.mu.Unlock()
		for _, e := range pending {
			if err := stream.Send(e); err != nil {
				return err
			}
			sent++
		}
		select {
		case <-stream.Context().Done():
			return nil
		case <-t.C:
		}
	}
}

func remove(list []string, v string) []string {
	out := list[:0]
	for _, x := range list {
		if x != v {
			out = append(out, x)
		}
	}
	return out
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

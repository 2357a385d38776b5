// Package proxmoxsim is an in-memory Proxmox VE API (/api2/json over TLS) for the real CAPMOX v0.9.0
// (which talks to Proxmox through github.com/luthermonson/go-proxmox v0.6.0). It answers the calls
// CAPMOX makes and refuses what Proxmox VE 9.1 refuses, from Proxmox's own API schema and code:
//
//   - every request needs the API token (Authorization: PVEAPIToken=<user>@<realm>!<token>=<secret>);
//     a missing or wrong token is refused with 401, as pveproxy does (pve-http-server
//     src/PVE/APIServer/AnyEvent.pm, pve-access-control src/PVE/AccessControl.pm verify_token);
//   - parameters are checked against the formats the API schema defines for each endpoint
//     (pve-docs 9.1.3 api-viewer/apidata.js, formats from pve-common src/PVE/JSONSchema.pm): see
//     params.go; a parameter error is a 400 with the per-parameter message under "errors";
//   - errors carry Proxmox's message in the HTTP status line (and in "message"), which is all go-proxmox
//     reads of a 500 and so what CAPMOX puts into its conditions;
//   - clone, config, resize, start, stop, destroy and upload are tasks: they return a UPID at once and
//     run for a while (status "running", then "stopped" with an exit status that may be an error); the
//     checks Proxmox makes before it forks the worker fail the request, the ones inside the worker fail
//     the task (qemu-server src/PVE/API2/Qemu.pm: clone_vm, update_vm_async, resize_vm since
//     qemu-server 8.0, vm_start, destroy_vm); tasks on one VM wait for each other as the per-VM config
//     lock makes them (10 s, then "got timeout");
//   - a VM being cloned carries "lock: clone" and refuses configuration; a running VM refuses destroy;
//   - clone semantics (clone_vm): full or linked (linked is the default from a template, needs a
//     storage that supports it and refuses storage/format), a target node only when every disk is on
//     shared storage, a target storage only when it holds VM images (and is shared with a target);
//   - a disk never shrinks; a started VM must fit the node's CPUs and find its bridges and ISO;
//   - nodes have memory and CPUs, which CAPMOX's scheduler reads (node status, VM maxmem) and which
//     run out as VMs are created.
//
// Calls answered, and where CAPMOX v0.9.0 makes them:
//   - GET  /version                                      pkg/proxmox/goproxmox NewAPIClient (at start)
//   - GET  /cluster/status, /cluster/nextid[?vmid=]      go-proxmox Cluster(), NextID (clone without a
//     vmIDRange), CheckID (vmIDRange; taken -> 400 "VM n already exists")
//   - GET  /cluster/resources                            FindVMResource (VM location), FindVMTemplateByTags
//   - GET  /nodes/{n}/status, /qemu, /lxc                scheduler GetReservableMemoryBytes, GetVM
//   - GET  /nodes/{n}/qemu/{id}/status/current, /config  GetVM (config.smbios1 uuid -> providerID)
//   - POST /nodes/{n}/qemu/{tmpl}/clone                  createVM (newid, name, target, full, format, storage, pool)
//   - POST /nodes/{n}/qemu/{id}/config                   reconcileVirtualMachineConfig, tags, cloud-init ISO mount
//   - PUT  /nodes/{n}/qemu/{id}/resize                   reconcileDisks (boot volume; CAPMOX does not wait for the task)
//   - GET  /nodes/{n}/storage[/{s}/status]               go-proxmox StorageISO (first enabled storage with iso content)
//   - POST /nodes/{n}/storage/{s}/upload                 the nocloud ISO (user-data = the Talos machine config)
//   - GET|DELETE /nodes/{n}/storage/{s}/content/{volid}  ISO lookup / removal on delete
//   - GET  /nodes/{n}/tasks/{upid}/status                taskservice (TaskRef), go-proxmox Task.Wait
//   - POST /nodes/{n}/qemu/{id}/status/start|stop        reconcilePowerState, DeleteVM
//   - DELETE /nodes/{n}/qemu/{id}                        DeleteVM
//
// Anything else is answered with 501 "... not implemented by the simulator". What is not modelled is
// listed in docs/e2e.md ("Fidelity: Proxmox").
package proxmoxsim

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// GiB is 2^30 bytes.
const GiB = uint64(1) << 30

// Node is a Proxmox node of the simulated datacenter.
type Node struct {
	Name    string
	Memory  uint64   // bytes of RAM (node status memory.total)
	CPUs    int      // logical CPUs (node status cpuinfo.cpus); a VM with more vCPUs does not start
	Bridges []string // Linux bridges; a VM with a NIC on another bridge does not start
}

// Storage is a Proxmox storage. Type decides which disk formats and linked clones it supports.
type Storage struct {
	ID      string
	Type    string   // dir, lvmthin, rbd or nfs
	Content []string // iso, images, rootdir, vztmpl, backup...
	Shared  bool     // reachable from every node (rbd, nfs); else each node has its own
	Nodes   []string // nodes it is configured on; empty = all
}

// TalosOS is what a template's disk holds: a Talos version, either as an installed disk image (a VM
// boots that version and never installs anything) or as the installer ISO (a VM boots the ISO and
// installs machine.install.image from its config onto machine.install.disk).
type TalosOS struct {
	Version   string // e.g. v1.11.1
	Installer bool   // true: the template boots the ISO installer
}

// Template describes a VM template to create.
type Template struct {
	Node, Name string
	ID         int
	Storage    string // storage of its disk (default local-lvm)
	BootDisk   string // e.g. virtio0, scsi0
	SizeGB     int    // disk size (default 10)
	ISOStorage string // storage of the installer ISO (default local): a clone to another node needs it shared
	Talos      TalosOS
	Tags       []string
}

// Options configures a simulator.
type Options struct {
	TokenID, TokenSecret string        // the API token every request must carry
	AuthFailureDelay     time.Duration // pveproxy delays unauthorized answers by 3 s; nil-value means 3 s
	TaskTime             TaskTimes
	Nodes                []Node
	Storages             []Storage
}

// TaskTimes is how long each kind of task runs. Zero values take the defaults of DefaultTaskTimes.
type TaskTimes struct {
	FullClonePerGiB time.Duration // a full clone copies every disk
	LinkedClone     time.Duration
	Config          time.Duration
	Resize          time.Duration
	Start, Stop     time.Duration
	Destroy         time.Duration
	Upload          time.Duration
}

// DefaultTaskTimes keep the harness fast while every task is asynchronous. A full clone runs long enough
// that CAPMOX finds it running (it then looks again after 10 s, ProxmoxMachine reconcile requeue); the
// other tasks mostly finish before CAPMOX looks. On real hardware a full clone takes seconds to minutes,
// a start one to a few seconds.
var DefaultTaskTimes = TaskTimes{
	FullClonePerGiB: 30 * time.Millisecond, LinkedClone: 100 * time.Millisecond, Config: 20 * time.Millisecond,
	Resize: 20 * time.Millisecond, Start: 50 * time.Millisecond, Stop: 20 * time.Millisecond,
	Destroy: 50 * time.Millisecond, Upload: 20 * time.Millisecond,
}

// VM is a simulated virtual machine (or template).
type VM struct {
	ID         int
	Node       string
	Template   bool
	Running    bool
	Lock       string            // clone while being cloned, destroyed while being destroyed
	ClonedFrom int               // template VMID, 0 for templates
	Linked     bool              // a linked clone (its disks are thin copies of the template's)
	Config     map[string]string // Proxmox config keys: name, sockets, cores, memory, net0, virtio0, smbios1, tags, boot, ide0...
	Pending    map[string]string // hardware changes made while it ran, applied at its next start
	Talos      TalosOS           // what its disk holds (copied from the template)
	ISO        []byte            // the nocloud ISO it booted with (CAPMOX's bootstrap data), set when it starts
	Created    time.Time
	Started    time.Time
	Deleted    time.Time

	busyUntil time.Time // the per-VM config lock is held by a task until then
}

// UUID is the VM's SMBIOS uuid (CAPMOX's providerID is proxmox://<uuid>).
func (v *VM) UUID() string {
	for _, kv := range strings.Split(v.Config["smbios1"], ",") {
		if k, val, ok := strings.Cut(kv, "="); ok && k == "uuid" {
			return val
		}
	}
	return ""
}

// Name is the VM name (CAPMOX uses the ProxmoxMachine name).
func (v *VM) Name() string { return v.Config["name"] }

// Disks returns the VM's disk keys (virtio0, scsi0...), CD-ROMs excluded, sorted.
func (v *VM) Disks() []string {
	var out []string
	for k, val := range v.Config {
		if isDriveKey(k) && !strings.Contains(val, "media=cdrom") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func (v *VM) copy() *VM {
	c := *v
	c.Config = cloneMap(v.Config)
	if v.Pending != nil {
		c.Pending = cloneMap(v.Pending)
	}
	return &c
}

// Request is one recorded API call.
type Request struct {
	Time   time.Time
	Method string
	Path   string // without /api2/json and query
	Query  string
	Params map[string]string // JSON or form body, flattened to strings
	Status int
	Error  string
}

// Sim is the simulator. Create with New, then Start.
type Sim struct {
	opts     Options
	mu       sync.Mutex // held only for short state changes, never while a task runs or a hook is called
	nodes    map[string]*Node
	storages map[string]*Storage
	vms      map[int]*VM
	deleted  []*VM
	volumes  map[string]*volume // scoped volume key (see volKey) -> volume
	tasks    map[string]*Task
	order    []string // task UPIDs in creation order
	faults   []*TaskFault
	log      []Request
	pid      int
	srv      *httptest.Server
	// OnStart is called (outside the lock) after a VM's start task succeeded; OnDelete after a VM
	// was destroyed.
	OnStart  func(vm *VM)
	OnDelete func(vm *VM)
}

// New returns a simulator of the given datacenter. Options without nodes get one node "pve".
func New(opts Options) *Sim {
	if opts.TokenID == "" {
		opts.TokenID, opts.TokenSecret = "root@pam!capmox", "simulated"
	}
	if opts.AuthFailureDelay == 0 {
		opts.AuthFailureDelay = 3 * time.Second
	}
	opts.TaskTime = opts.TaskTime.withDefaults()
	if len(opts.Nodes) == 0 {
		opts.Nodes = []Node{{Name: "pve", Memory: 64 * GiB, CPUs: 16, Bridges: []string{"vmbr0"}}}
	}
	if len(opts.Storages) == 0 {
		opts.Storages = DefaultStorages()
	}
	s := &Sim{opts: opts, nodes: map[string]*Node{}, storages: map[string]*Storage{}, vms: map[int]*VM{},
		volumes: map[string]*volume{}, tasks: map[string]*Task{}, pid: 1000}
	for i := range opts.Nodes {
		n := opts.Nodes[i]
		s.nodes[n.Name] = &n
	}
	for i := range opts.Storages {
		st := opts.Storages[i]
		s.storages[st.ID] = &st
	}
	return s
}

// DefaultStorages are a node-local directory storage for ISOs ("local") and a node-local LVM-thin
// pool for disks ("local-lvm"), as a fresh Proxmox VE install has them.
func DefaultStorages() []Storage {
	return []Storage{
		{ID: "local", Type: "dir", Content: []string{"iso", "vztmpl", "backup"}},
		{ID: "local-lvm", Type: "lvmthin", Content: []string{"images", "rootdir"}},
	}
}

// AddTemplate adds a VM template: a stopped VM with one disk (the Talos image or an empty disk and
// the installer ISO on ide2) and a virtio NIC on vmbr0.
func (s *Sim) AddTemplate(t Template) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Storage == "" {
		t.Storage = "local-lvm"
	}
	if t.SizeGB == 0 {
		t.SizeGB = 10
	}
	volid := fmt.Sprintf("%s:base-%d-disk-0", t.Storage, t.ID)
	s.volumes[s.volKey(t.Node, volid)] = &volume{volid: volid, size: uint64(t.SizeGB) * GiB, format: "raw", base: true}
	cfg := map[string]string{
		"name": t.Name, "template": "1", "sockets": "1", "cores": "1", "memory": "2048", "ostype": "l26",
		t.BootDisk: fmt.Sprintf("%s,size=%dG", volid, t.SizeGB),
		"net0":     "virtio=" + s.newMAC() + ",bridge=vmbr0", "boot": "order=" + t.BootDisk,
		"smbios1": "uuid=" + newUUID(),
	}
	if t.Talos.Installer {
		if t.ISOStorage == "" {
			t.ISOStorage = "local"
		}
		iso := fmt.Sprintf("%s:iso/talos-%s-nocloud-amd64.iso", t.ISOStorage, t.Talos.Version)
		s.volumes[s.volKey(t.Node, iso)] = &volume{volid: iso, format: "iso", size: 100 << 20}
		cfg["ide2"] = iso + ",media=cdrom"
		cfg["boot"] = "order=" + t.BootDisk + ";ide2"
	}
	if len(t.Tags) > 0 {
		cfg["tags"] = strings.Join(t.Tags, ";")
	}
	s.vms[t.ID] = &VM{ID: t.ID, Node: t.Node, Template: true, Talos: t.Talos, Created: time.Now(), Config: cfg}
}

// AddVM adds a VM that is not a template (a workload of someone else on the same Proxmox: it holds
// memory on its node, which CAPMOX's scheduler counts).
func (s *Sim) AddVM(node string, id int, name string, memoryMiB int, running bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vms[id] = &VM{ID: id, Node: node, Running: running, Created: time.Now(), Config: map[string]string{
		"name": name, "sockets": "1", "cores": "2", "memory": fmt.Sprint(memoryMiB), "smbios1": "uuid=" + newUUID(),
	}}
}

// Start serves the API over TLS on 127.0.0.1 (self-signed; CAPMOX skips verification by default).
func (s *Sim) Start() { s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve)) }

// Close stops the server.
func (s *Sim) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// URL is the base URL to give CAPMOX as PROXMOX_URL.
func (s *Sim) URL() string { return s.srv.URL }

// Token is the API token id and secret the simulator accepts.
func (s *Sim) Token() (id, secret string) { return s.opts.TokenID, s.opts.TokenSecret }

// VMs returns copies of the existing non-template VMs, by ID.
func (s *Sim) VMs() []*VM {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*VM
	for _, v := range s.vms {
		if !v.Template {
			out = append(out, v.copy())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Deleted returns copies of the VMs deleted so far, in deletion order.
func (s *Sim) Deleted() []*VM {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*VM, len(s.deleted))
	for i, v := range s.deleted {
		out[i] = v.copy()
	}
	return out
}

// Log returns a copy of the request log.
func (s *Sim) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// apiError is an error answer: status, the message (status line and "message") and, for a parameter
// error, the message per parameter.
type apiError struct {
	status int
	msg    string
	errors map[string]string
}

func (e *apiError) Error() string { return e.msg }

// paramError is Proxmox's 400 "Parameter verification failed." with one message per parameter.
func paramError(errs map[string]string) *apiError {
	return &apiError{status: 400, msg: "Parameter verification failed.", errors: errs}
}

func badParam(name, msg string) *apiError { return paramError(map[string]string{name: msg}) }

// fail is a 500 with Proxmox's message (what a `die` in an API handler becomes).
func fail(format string, args ...any) *apiError {
	return &apiError{status: 500, msg: fmt.Sprintf(format, args...)}
}

func notImplemented(method, path string) *apiError {
	return &apiError{status: 501, msg: fmt.Sprintf("Method '%s %s' not implemented by the simulator", method, path)}
}

var reToken = regexp.MustCompile(`^PVEAPIToken=([^=]+)=(.*)$`)

// authenticate checks the API token as pveproxy does; the error is the 401's message.
func (s *Sim) authenticate(r *http.Request) error {
	h := r.Header.Get("Authorization")
	if h == "" {
		return fmt.Errorf("No ticket")
	}
	m := reToken.FindStringSubmatch(h)
	if m == nil {
		return fmt.Errorf("no tokenid specified")
	}
	if m[1] != s.opts.TokenID {
		user, token, _ := strings.Cut(m[1], "!")
		return fmt.Errorf("no such token '%s' for user '%s'", token, user)
	}
	if m[2] != s.opts.TokenSecret {
		return fmt.Errorf("invalid token value!")
	}
	return nil
}

func (s *Sim) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api2/json")
	rec := Request{Time: time.Now(), Method: r.Method, Path: path, Query: r.URL.RawQuery}
	var data any
	var after func()
	err := s.authenticate(r)
	if err != nil {
		time.Sleep(s.opts.AuthFailureDelay)
		err = &apiError{status: 401, msg: err.Error()}
	} else {
		var params map[string]string
		var file []byte
		params, file, err = readParams(r)
		rec.Params = params
		if err == nil {
			s.mu.Lock()
			data, after, err = s.route(r.Method, path, params, file)
			s.mu.Unlock()
		}
	}
	rec.Status = 200
	if err != nil {
		ae, ok := err.(*apiError)
		if !ok {
			ae = fail("%s", err.Error())
		}
		rec.Status, rec.Error = ae.status, ae.msg
		if ae.errors != nil {
			var parts []string
			for k, v := range ae.errors {
				parts = append(parts, k+": "+v)
			}
			sort.Strings(parts)
			rec.Error += " " + strings.Join(parts, "; ")
		}
		writeError(w, ae)
	} else {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		_ = json.NewEncoder(w).Encode(map[string]any{"data": data})
	}
	s.mu.Lock()
	s.log = append(s.log, rec)
	s.mu.Unlock()
	if after != nil {
		after()
	}
}

// writeError answers as pveproxy does: the message is the reason phrase of the status line (go-proxmox
// reports a 500 or 501 by its status line only), and the JSON body holds data: null, the message and,
// for a parameter error, the errors per parameter. net/http cannot set a reason phrase, so the
// response is written on the hijacked connection (HTTP/1.1, closed afterwards).
func writeError(w http.ResponseWriter, ae *apiError) {
	reason := strings.NewReplacer("\r", " ", "\n", " ").Replace(strings.TrimSpace(ae.msg))
	body := map[string]any{"data": nil, "message": ae.msg + "\n"}
	if ae.errors != nil {
		body["errors"] = ae.errors
	}
	b, _ := json.Marshal(body)
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(ae.status)
		_, _ = w.Write(b)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	bw := bufio.NewWriter(conn)
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", ae.status, reason, len(b))
	_, _ = bw.Write(b)
	_ = bw.Flush()
}

func (s *Sim) sortedNodes() []string {
	var out []string
	for n := range s.nodes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// newMAC is a random unicast MAC with the Proxmox prefix BC:24:11 (the datacenter default mac_prefix
// since Proxmox VE 8).
func (s *Sim) newMAC() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("BC:24:11:%02X:%02X:%02X", b[0], b[1], b[2])
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

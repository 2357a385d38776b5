// Package proxmoxsim is a small in-memory Proxmox VE API, just enough of /api2/json for the real
// CAPMOX v0.9.0 (through github.com/luthermonson/go-proxmox v0.6.0) to clone, configure, start,
// stop and delete VMs. Every request is recorded in a log the tests assert on.
//
// Calls answered, and where CAPMOX makes them (read from the v0.9.0 module):
//   - GET  /version                                  pkg/proxmox/goproxmox NewAPIClient (at start)
//   - GET  /cluster/status, /cluster/nextid[?vmid=]  go-proxmox Cluster(), CheckID (taken -> 400 "VM n already exists")
//   - GET  /cluster/resources                        FindVMResource (VM location after a restart)
//   - GET  /nodes/{n}/status, /qemu, /lxc            scheduler (GetReservableMemoryBytes), GetVM
//   - GET  /nodes/{n}/qemu/{id}/status/current, /config   GetVM (config.smbios1 uuid -> providerID)
//   - POST /nodes/{n}/qemu/{tmpl}/clone              createVM (newid, name, target, full)
//   - POST /nodes/{n}/qemu/{id}/config               reconcileVirtualMachineConfig, tags, cloud-init ISO mount
//   - PUT  /nodes/{n}/qemu/{id}/resize               reconcileDisks (boot volume)
//   - GET  /nodes/{n}/storage[/{s}/status]           go-proxmox StorageISO (first enabled storage with iso content)
//   - POST /nodes/{n}/storage/{s}/upload             the nocloud ISO (user-data = the Talos machine config)
//   - GET|DELETE /nodes/{n}/storage/{s}/content/{volid}   ISO lookup / removal on delete
//   - GET  /nodes/{n}/tasks/{upid}/status            every task finishes at once: stopped/OK
//   - POST /nodes/{n}/qemu/{id}/status/start|stop    reconcilePowerState, DeleteVM
//   - DELETE /nodes/{n}/qemu/{id}                    DeleteVM
//
// Errors mimic Proxmox's shape: 400 with {"errors": {...}} or 500 with a message.
package proxmoxsim

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// VM is a simulated virtual machine (or template).
type VM struct {
	ID         int
	Node       string
	Template   bool
	Running    bool
	ClonedFrom int               // template VMID, 0 for templates
	Config     map[string]string // Proxmox config keys: name, sockets, cores, memory, net0, virtio0, smbios1, tags, boot, ide0...
	ISO        []byte            // the nocloud ISO mounted at creation (CAPMOX's bootstrap data)
	Created    time.Time
	Started    time.Time
	Deleted    time.Time
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

func (v *VM) copy() *VM {
	c := *v
	c.Config = map[string]string{}
	for k, val := range v.Config {
		c.Config[k] = val
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
	mu       sync.Mutex
	nodes    map[string]bool
	vms      map[int]*VM
	deleted  []*VM
	isos     map[string][]byte // volid -> content
	log      []Request
	nextTask int
	srv      *httptest.Server
	// OnStart is called (outside the lock) after a VM was started; OnDelete after it was deleted.
	OnStart  func(vm *VM)
	OnDelete func(vm *VM)
}

// New returns a simulator with the given Proxmox node names.
func New(nodes ...string) *Sim {
	s := &Sim{nodes: map[string]bool{}, vms: map[int]*VM{}, isos: map[string][]byte{}}
	for _, n := range nodes {
		s.nodes[n] = true
	}
	return s
}

// AddTemplate adds a VM template with the given boot disk device (e.g. "virtio0") and network.
func (s *Sim) AddTemplate(node string, id int, name, bootDisk string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vms[id] = &VM{ID: id, Node: node, Template: true, Created: time.Now(), Config: map[string]string{
		"name": name, "template": "1", "sockets": "1", "cores": "1", "memory": "2048",
		bootDisk: fmt.Sprintf("local-lvm:base-%d-disk-0,size=10G", id),
		"net0":   "virtio=BC:24:11:00:00:01,bridge=vmbr0", "boot": "order=" + bootDisk,
		"smbios1": "uuid=" + newUUID(),
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

type apiError struct {
	status int
	msg    string
	errors map[string]string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(field, msg string) *apiError {
	return &apiError{status: 400, msg: msg, errors: map[string]string{field: msg}}
}
func serverError(msg string) *apiError { return &apiError{status: 500, msg: msg} }

var (
	reNode     = regexp.MustCompile(`^/nodes/([^/]+)/(status|qemu|lxc|storage)$`)
	reVM       = regexp.MustCompile(`^/nodes/([^/]+)/qemu/(\d+)(/.*)?$`)
	reStorage  = regexp.MustCompile(`^/nodes/([^/]+)/storage/([^/]+)/(status|upload|content/(.+))$`)
	reTask     = regexp.MustCompile(`^/nodes/([^/]+)/tasks/([^/]+)/status$`)
	errNoRoute = serverError("Method not implemented by the simulator")
)

func (s *Sim) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api2/json")
	rec := Request{Time: time.Now(), Method: r.Method, Path: path, Query: r.URL.RawQuery}
	params, iso, err := readParams(r)
	rec.Params = params
	var data any
	var after func()
	if err == nil {
		s.mu.Lock()
		data, after, err = s.route(r.Method, path, r.URL.Query(), params, iso)
		s.mu.Unlock()
	}
	rec.Status = 200
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		ae, ok := err.(*apiError)
		if !ok {
			ae = serverError(err.Error())
		}
		rec.Status, rec.Error = ae.status, ae.msg
		if ae.status == 400 {
			w.WriteHeader(400)
			_ = json.NewEncoder(w).Encode(map[string]any{"data": nil, "errors": ae.errors})
		} else {
			// go-proxmox reports a 500 by its status line only.
			http.Error(w, ae.msg, ae.status)
		}
	} else {
		_ = json.NewEncoder(w).Encode(map[string]any{"data": data})
	}
	s.mu.Lock()
	s.log = append(s.log, rec)
	s.mu.Unlock()
	if after != nil {
		after()
	}
}

// readParams flattens a JSON, form or multipart body; for an upload it returns the file.
func readParams(r *http.Request) (map[string]string, []byte, error) {
	out := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]any
		body, _ := io.ReadAll(r.Body)
		if len(body) > 0 {
			if err := json.Unmarshal(body, &m); err != nil {
				return nil, nil, badRequest("body", "invalid JSON: "+err.Error())
			}
		}
		for k, v := range m {
			switch t := v.(type) {
			case string:
				out[k] = t
			case float64:
				out[k] = strconv.FormatFloat(t, 'f', -1, 64)
			case nil:
			default:
				b, _ := json.Marshal(t)
				out[k] = string(b)
			}
		}
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, nil, badRequest("body", err.Error())
		}
		var file []byte
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, badRequest("body", err.Error())
			}
			b, _ := io.ReadAll(p)
			if p.FileName() != "" {
				out["filename"] = p.FileName()
				file = b
			} else {
				out[p.FormName()] = string(b)
			}
		}
		return out, file, nil
	default:
		_ = r.ParseForm()
		for k, v := range r.PostForm {
			out[k] = strings.Join(v, ",")
		}
	}
	return out, nil, nil
}

func (s *Sim) task(node, typ string, id int) string {
	s.nextTask++
	return fmt.Sprintf("UPID:%s:%08X:%08X:%08X:%s:%d:root@pam:", node, 1000+s.nextTask, s.nextTask, time.Now().Unix(), typ, id)
}

func (s *Sim) route(method, path string, q url.Values, p map[string]string, file []byte) (any, func(), error) {
	switch {
	case method == "GET" && path == "/version":
		return map[string]string{"release": "8.3", "version": "8.3.0", "repoid": "proxmoxsim"}, nil, nil
	case method == "GET" && path == "/cluster/status":
		out := []map[string]any{{"type": "cluster", "name": "proxmoxsim", "id": "cluster", "nodes": len(s.nodes), "quorate": 1, "version": 1}}
		for _, n := range s.sortedNodes() {
			out = append(out, map[string]any{"type": "node", "name": n, "id": "node/" + n, "online": 1, "ip": "127.0.0.1"})
		}
		return out, nil, nil
	case method == "GET" && path == "/cluster/nextid":
		if v := q.Get("vmid"); v != "" {
			id, _ := strconv.Atoi(v)
			if _, taken := s.vms[id]; taken {
				return nil, nil, badRequest("vmid", fmt.Sprintf("VM %d already exists", id))
			}
			return v, nil, nil
		}
		id := 100
		for s.vms[id] != nil {
			id++
		}
		return strconv.Itoa(id), nil, nil
	case method == "GET" && path == "/cluster/resources":
		var out []map[string]any
		for _, v := range s.vms {
			out = append(out, map[string]any{"id": fmt.Sprintf("qemu/%d", v.ID), "type": "qemu", "node": v.Node, "vmid": v.ID,
				"name": v.Name(), "template": boolInt(v.Template), "tags": v.Config["tags"], "status": status(v)})
		}
		return out, nil, nil
	}
	if m := reNode.FindStringSubmatch(path); m != nil && method == "GET" {
		if !s.nodes[m[1]] {
			return nil, nil, serverError(fmt.Sprintf("hostname lookup '%s' failed - no such node", m[1]))
		}
		switch m[2] {
		case "status":
			const total = 1 << 40
			return map[string]any{"memory": map[string]uint64{"total": total, "used": 0, "free": total},
				"cpuinfo": map[string]any{"cpus": 64, "cores": 32, "sockets": 2}, "pveversion": "pve-manager/8.3.0"}, nil, nil
		case "qemu":
			var out []map[string]any
			for _, v := range s.vms {
				if v.Node == m[1] {
					out = append(out, s.vmStatus(v))
				}
			}
			return out, nil, nil
		case "lxc":
			return []any{}, nil, nil
		case "storage":
			return []map[string]any{storageISO(), storageImages()}, nil, nil
		}
	}
	if m := reStorage.FindStringSubmatch(path); m != nil {
		return s.storage(method, m[1], m[2], m[3], m[4], p, file)
	}
	if m := reTask.FindStringSubmatch(path); m != nil && method == "GET" {
		upid := m[2]
		parts := strings.Split(upid, ":")
		typ, id := "", ""
		if len(parts) > 6 {
			typ, id = parts[5], parts[6]
		}
		return map[string]any{"upid": upid, "node": m[1], "status": "stopped", "exitstatus": "OK", "type": typ, "id": id, "user": "root@pam"}, nil, nil
	}
	if m := reVM.FindStringSubmatch(path); m != nil {
		id, _ := strconv.Atoi(m[2])
		return s.vm(method, m[1], id, m[3], p)
	}
	return nil, nil, errNoRoute
}

func (s *Sim) sortedNodes() []string {
	var out []string
	for n := range s.nodes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func storageISO() map[string]any {
	return map[string]any{"storage": "local", "type": "dir", "content": "iso,vztmpl,backup", "enabled": 1, "active": 1, "shared": 0}
}
func storageImages() map[string]any {
	return map[string]any{"storage": "local-lvm", "type": "lvmthin", "content": "images,rootdir", "enabled": 1, "active": 1, "shared": 0}
}

func (s *Sim) storage(method, node, storage, op, volid string, p map[string]string, file []byte) (any, func(), error) {
	if !s.nodes[node] {
		return nil, nil, serverError("no such node " + node)
	}
	switch {
	case op == "status" && method == "GET":
		if storage == "local" {
			return storageISO(), nil, nil
		}
		return storageImages(), nil, nil
	case op == "upload" && method == "POST":
		if p["content"] != "iso" || storage != "local" {
			return nil, nil, badRequest("content", fmt.Sprintf("storage '%s' does not support content type '%s'", storage, p["content"]))
		}
		s.isos[fmt.Sprintf("%s:iso/%s", storage, p["filename"])] = file
		return s.task(node, "imgcopy", 0), nil, nil
	case strings.HasPrefix(op, "content/"):
		data, ok := s.isos[volid]
		if !ok {
			return nil, nil, serverError(fmt.Sprintf("volume '%s' does not exist", volid))
		}
		if method == "DELETE" {
			delete(s.isos, volid)
			return s.task(node, "imgdel", 0), nil, nil
		}
		return map[string]any{"volid": volid, "format": "iso", "size": len(data), "path": "/var/lib/vz/template/iso/" + volid}, nil, nil
	}
	return nil, nil, errNoRoute
}

func (s *Sim) vmStatus(v *VM) map[string]any {
	mem, _ := strconv.Atoi(v.Config["memory"])
	return map[string]any{"vmid": v.ID, "name": v.Name(), "status": status(v), "qmpstatus": status(v),
		"maxmem": uint64(mem) << 20, "template": boolIntOrEmpty(v.Template), "tags": v.Config["tags"]}
}

func (s *Sim) vm(method, node string, id int, sub string, p map[string]string) (any, func(), error) {
	if !s.nodes[node] {
		return nil, nil, serverError(fmt.Sprintf("hostname lookup '%s' failed - no such node", node))
	}
	v := s.vms[id]
	if v == nil || v.Node != node {
		return nil, nil, serverError(fmt.Sprintf("Configuration file 'nodes/%s/qemu-server/%d.conf' does not exist", node, id))
	}
	switch {
	case method == "GET" && sub == "/status/current":
		return s.vmStatus(v), nil, nil
	case method == "GET" && sub == "/config":
		// Proxmox returns numeric options as JSON numbers; go-proxmox decodes e.g. cores into int.
		out := map[string]any{"digest": "sim"}
		for k, val := range v.Config {
			if n, err := strconv.Atoi(val); err == nil && numericOption[k] {
				out[k] = n
			} else {
				out[k] = val
			}
		}
		return out, nil, nil
	case method == "POST" && sub == "/clone":
		if !v.Template {
			return nil, nil, badRequest("vmid", fmt.Sprintf("VM %d is not a template", id))
		}
		newID, _ := strconv.Atoi(p["newid"])
		if _, taken := s.vms[newID]; taken || newID < 100 {
			return nil, nil, badRequest("newid", fmt.Sprintf("VM %d already exists", newID))
		}
		target := node
		if p["target"] != "" {
			target = p["target"]
		}
		if !s.nodes[target] {
			return nil, nil, badRequest("target", fmt.Sprintf("no such cluster node '%s'", target))
		}
		nv := &VM{ID: newID, Node: target, ClonedFrom: id, Created: time.Now(), Config: map[string]string{}}
		for k, val := range v.Config {
			nv.Config[k] = strings.ReplaceAll(val, fmt.Sprintf("base-%d-disk", id), fmt.Sprintf("vm-%d-disk", newID))
		}
		delete(nv.Config, "template")
		nv.Config["name"] = p["name"]
		nv.Config["smbios1"] = "uuid=" + newUUID()
		s.vms[newID] = nv
		return s.task(node, "qmclone", id), nil, nil
	case method == "POST" && sub == "/config", method == "PUT" && sub == "/config":
		for k, val := range p {
			if k == "delete" {
				for _, d := range strings.Split(val, ",") {
					delete(v.Config, d)
				}
				continue
			}
			v.Config[k] = val
		}
		if iso := isoVolume(v.Config); iso != "" {
			v.ISO = s.isos[iso]
		}
		return s.task(node, "qmconfig", id), nil, nil
	case method == "PUT" && sub == "/resize":
		disk, size := p["disk"], p["size"]
		cur, ok := v.Config[disk]
		if !ok {
			return nil, nil, badRequest("disk", fmt.Sprintf("can't resize: VM %d has no disk '%s'", id, disk))
		}
		v.Config[disk] = setSize(cur, size)
		return s.task(node, "resize", id), nil, nil
	case method == "POST" && sub == "/status/start":
		v.Running, v.Started = true, time.Now()
		cp := v.copy()
		return s.task(node, "qmstart", id), func() {
			if s.OnStart != nil {
				s.OnStart(cp)
			}
		}, nil
	case method == "POST" && sub == "/status/stop":
		v.Running = false
		return s.task(node, "qmstop", id), nil, nil
	case method == "DELETE" && sub == "":
		if v.Running {
			return nil, nil, serverError(fmt.Sprintf("VM %d is running - destroy failed", id))
		}
		delete(s.vms, id)
		v.Deleted = time.Now()
		s.deleted = append(s.deleted, v)
		cp := v.copy()
		return s.task(node, "qmdestroy", id), func() {
			if s.OnDelete != nil {
				s.OnDelete(cp)
			}
		}, nil
	}
	return nil, nil, errNoRoute
}

var numericOption = map[string]bool{"sockets": true, "cores": true, "memory": true, "template": true, "vcpus": true,
	"balloon": true, "cpuunits": true, "numa": true, "onboot": true, "protection": true, "kvm": true, "tablet": true, "autostart": true}

// isoVolume finds the volume of a mounted ISO (e.g. ide0: local:iso/user-data-101.iso,media=cdrom).
func isoVolume(cfg map[string]string) string {
	for k, v := range cfg {
		if (strings.HasPrefix(k, "ide") || strings.HasPrefix(k, "sata") || strings.HasPrefix(k, "scsi")) && strings.Contains(v, ":iso/") {
			return strings.Split(v, ",")[0]
		}
	}
	return ""
}

// setSize applies a resize ("40G" or "+10G") to a disk config string.
func setSize(disk, size string) string {
	parts := strings.Split(disk, ",")
	out := []string{parts[0]}
	for _, p := range parts[1:] {
		if !strings.HasPrefix(p, "size=") {
			out = append(out, p)
		}
	}
	return strings.Join(append(out, "size="+strings.TrimPrefix(size, "+")), ",")
}

// DiskSize returns the size= of a VM disk (e.g. "40G").
func DiskSize(v *VM, disk string) string {
	for _, p := range strings.Split(v.Config[disk], ",") {
		if strings.HasPrefix(p, "size=") {
			return strings.TrimPrefix(p, "size=")
		}
	}
	return ""
}

func status(v *VM) string {
	if v.Running {
		return "running"
	}
	return "stopped"
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func boolIntOrEmpty(b bool) any {
	if b {
		return 1
	}
	return ""
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

package proxmoxsim

import (
	"crypto/sha1"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

var (
	reNodePath    = regexp.MustCompile(`^/nodes/([^/]+)/(status|qemu|lxc|storage)$`)
	reVMPath      = regexp.MustCompile(`^/nodes/([^/]+)/qemu/(\d+)(/.*)?$`)
	reStoragePath = regexp.MustCompile(`^/nodes/([^/]+)/storage/([^/]+)/(status|upload|content/(.+))$`)
	reTaskPath    = regexp.MustCompile(`^/nodes/([^/]+)/tasks/([^/]+)/status$`)
)

// route answers one request; s.mu is held.
func (s *Sim) route(method, path string, p map[string]string, file []byte) (any, func(), error) {
	switch {
	case method == "GET" && path == "/version":
		return map[string]string{"release": "9.1", "version": "9.1.2", "repoid": "proxmoxsim"}, nil, noParams.check(p).orNil()
	case method == "GET" && path == "/cluster/status":
		out := []map[string]any{{"type": "cluster", "name": "proxmoxsim", "id": "cluster", "nodes": len(s.nodes), "quorate": 1, "version": len(s.nodes)}}
		for i, n := range s.sortedNodes() {
			out = append(out, map[string]any{"type": "node", "name": n, "id": "node/" + n, "online": 1, "ip": "127.0.0.1", "nodeid": i + 1, "local": boolInt(i == 0)})
		}
		return out, nil, nil
	case method == "GET" && path == "/cluster/nextid":
		if err := nextIDSchema.check(p); err != nil {
			return nil, nil, err
		}
		if v := p["vmid"]; v != "" {
			id, _ := strconv.Atoi(v)
			if s.vms[id] != nil {
				return nil, nil, badParam("vmid", fmt.Sprintf("VM %d already exists", id))
			}
			return v, nil, nil
		}
		// The lowest free ID from 100 (the datacenter's default next-id range); Proxmox sends it as a
		// string although the schema says integer, and go-proxmox reads a string.
		for id := 100; ; id++ {
			if s.vms[id] == nil {
				return strconv.Itoa(id), nil, nil
			}
		}
	case method == "GET" && path == "/cluster/resources":
		if err := resourcesSchema.check(p); err != nil {
			return nil, nil, err
		}
		return s.resources(p["type"]), nil, nil
	}
	if m := reNodePath.FindStringSubmatch(path); m != nil && method == "GET" {
		node := s.nodes[m[1]]
		if node == nil {
			return nil, nil, noSuchNode(m[1])
		}
		switch m[2] {
		case "status":
			return s.nodeStatus(node), nil, noParams.check(p).orNil()
		case "qemu":
			out := []map[string]any{}
			for _, id := range sortedVMIDs(s.vms) {
				if v := s.vms[id]; v.Node == node.Name {
					out = append(out, s.vmStatus(v))
				}
			}
			return out, nil, nil
		case "lxc":
			return []any{}, nil, nil
		case "storage":
			data, err := s.storageList(node.Name, p)
			return data, nil, err
		}
	}
	if m := reStoragePath.FindStringSubmatch(path); m != nil {
		if s.nodes[m[1]] == nil {
			return nil, nil, noSuchNode(m[1])
		}
		return s.storage(method, m[1], m[2], m[3], m[4], p, file)
	}
	if m := reTaskPath.FindStringSubmatch(path); m != nil && method == "GET" {
		data, err := s.taskStatus(m[1], m[2])
		return data, nil, err
	}
	if m := reVMPath.FindStringSubmatch(path); m != nil {
		if s.nodes[m[1]] == nil {
			return nil, nil, noSuchNode(m[1])
		}
		id, _ := strconv.Atoi(m[2])
		return s.vm(method, m[1], id, m[3], p)
	}
	return nil, nil, notImplemented(method, path)
}

// orNil turns a nil *apiError into a nil error (a typed nil in an error is not nil).
func (e *apiError) orNil() error {
	if e == nil {
		return nil
	}
	return e
}

func noSuchNode(n string) *apiError {
	return fail("hostname lookup '%s' failed - failed to get address info for: %s: Name or service not known", n, n)
}

// nodeStatus: memory (used = the memory of the running VMs), CPUs, versions.
func (s *Sim) nodeStatus(n *Node) map[string]any {
	var used uint64
	for _, v := range s.vms {
		if v.Node == n.Name && v.Running {
			used += v.memoryBytes()
		}
	}
	free := uint64(0)
	if used < n.Memory {
		free = n.Memory - used
	}
	return map[string]any{
		"memory":     map[string]uint64{"total": n.Memory, "used": used, "free": free},
		"cpuinfo":    map[string]any{"cpus": n.CPUs, "cores": n.CPUs / 2, "sockets": 1, "model": "simulated CPU", "mhz": "2400.000", "hvm": "1", "user_hz": 100},
		"pveversion": "pve-manager/9.1.2/proxmoxsim", "kversion": "Linux 6.17.2-1-pve", "uptime": 86400, "loadavg": []string{"0.10", "0.10", "0.10"},
		"rootfs": map[string]uint64{"total": 100 << 30, "used": 10 << 30, "free": 90 << 30, "avail": 90 << 30},
	}
}

func (v *VM) memoryBytes() uint64 {
	mem, _ := strconv.Atoi(strings.TrimPrefix(v.Config["memory"], "current="))
	if mem == 0 {
		mem = 512 // the schema default
	}
	return uint64(mem) << 20
}

func (v *VM) vcpus() int {
	atoi := func(k string, def int) int {
		if n, err := strconv.Atoi(v.Config[k]); err == nil {
			return n
		}
		return def
	}
	return atoi("sockets", 1) * atoi("cores", 1)
}

func (s *Sim) vmStatus(v *VM) map[string]any {
	out := map[string]any{"vmid": v.ID, "name": v.Name(), "status": status(v), "maxmem": v.memoryBytes(), "cpus": v.vcpus(),
		"maxdisk": s.diskBytes(v), "uptime": 0, "ha": map[string]int{"managed": 0}}
	if v.Running {
		out["qmpstatus"] = "running"
		out["uptime"] = int(time.Since(v.Started).Seconds())
		out["mem"] = v.memoryBytes() / 2
	}
	if v.Template {
		out["template"] = 1
	}
	if t := v.Config["tags"]; t != "" {
		out["tags"] = t
	}
	if v.Lock != "" {
		out["lock"] = v.Lock
	}
	return out
}

func (s *Sim) diskBytes(v *VM) uint64 {
	var total uint64
	for _, k := range v.Disks() {
		total += parseSize(driveSize(v.Config[k]))
	}
	return total
}

func (s *Sim) resources(typ string) []map[string]any {
	out := []map[string]any{}
	if typ == "" || typ == "vm" {
		for _, id := range sortedVMIDs(s.vms) {
			v := s.vms[id]
			r := map[string]any{"id": fmt.Sprintf("qemu/%d", v.ID), "type": "qemu", "node": v.Node, "vmid": v.ID, "name": v.Name(),
				"template": boolInt(v.Template), "status": status(v), "maxmem": v.memoryBytes(), "maxcpu": v.vcpus(), "maxdisk": s.diskBytes(v)}
			if t := v.Config["tags"]; t != "" {
				r["tags"] = t
			}
			if v.Lock != "" {
				r["lock"] = v.Lock
			}
			out = append(out, r)
		}
	}
	if typ == "" || typ == "node" {
		for _, n := range s.sortedNodes() {
			out = append(out, map[string]any{"id": "node/" + n, "type": "node", "node": n, "status": "online", "maxmem": s.nodes[n].Memory, "maxcpu": s.nodes[n].CPUs})
		}
	}
	if typ == "" || typ == "storage" {
		for _, n := range s.sortedNodes() {
			for _, id := range sortedKeys(s.storages) {
				if st := s.storages[id]; st.onNode(n) {
					out = append(out, map[string]any{"id": "storage/" + n + "/" + id, "type": "storage", "node": n, "storage": id,
						"status": "available", "shared": boolInt(st.Shared), "content": strings.Join(st.Content, ",")})
				}
			}
		}
	}
	return out
}

// vmAt finds a VM by the node its config file is on.
func (s *Sim) vmAt(node string, id int) (*VM, *apiError) {
	v := s.vms[id]
	if v == nil || v.Node != node {
		return nil, fail("Configuration file 'nodes/%s/qemu-server/%d.conf' does not exist", node, id)
	}
	return v, nil
}

func lockError(v *VM) error {
	if v.Lock != "" {
		return fmt.Errorf("VM %d is locked (%s)", v.ID, v.Lock)
	}
	return nil
}

func (s *Sim) vm(method, node string, id int, sub string, p map[string]string) (any, func(), error) {
	v, aerr := s.vmAt(node, id)
	if aerr != nil {
		return nil, nil, aerr
	}
	switch {
	case method == "GET" && sub == "/status/current":
		return s.vmStatus(v), nil, noParams.check(p).orNil()
	case method == "GET" && sub == "/config":
		return s.configOf(v), nil, nil
	case method == "POST" && sub == "/config":
		upid, err := s.updateConfig(v, p, false)
		return upid, nil, err
	case method == "PUT" && sub == "/config":
		_, err := s.updateConfig(v, p, true)
		return nil, nil, err
	case method == "POST" && sub == "/clone":
		upid, err := s.clone(v, p)
		return upid, nil, err
	case method == "PUT" && sub == "/resize":
		upid, err := s.resize(v, p)
		return upid, nil, err
	case method == "POST" && sub == "/status/start":
		upid, err := s.start(v, p)
		return upid, nil, err
	case method == "POST" && sub == "/status/stop":
		upid, err := s.stop(v, p)
		return upid, nil, err
	case method == "DELETE" && sub == "":
		upid, err := s.destroy(v, p)
		return upid, nil, err
	}
	return nil, nil, notImplemented(method, fmt.Sprintf("/nodes/%s/qemu/%d%s", node, id, sub))
}

// numericOption are config keys Proxmox returns as JSON numbers (go-proxmox decodes them into ints).
var numericOption = map[string]bool{"sockets": true, "cores": true, "memory": true, "template": true, "vcpus": true,
	"balloon": true, "cpuunits": true, "numa": true, "onboot": true, "protection": true, "kvm": true, "tablet": true, "autostart": true, "acpi": true}

// configOf answers GET config: while a clone runs, the new VM's config file holds only its lock.
func (s *Sim) configOf(v *VM) map[string]any {
	out := map[string]any{"digest": digest(v)}
	if v.Lock == "clone" {
		out["lock"] = "clone"
		return out
	}
	for k, val := range v.Config {
		if n, err := strconv.Atoi(val); err == nil && numericOption[k] {
			out[k] = n
		} else {
			out[k] = val
		}
	}
	if v.Lock != "" {
		out["lock"] = v.Lock
	}
	return out
}

func digest(v *VM) string {
	keys := make([]string, 0, len(v.Config))
	for k := range v.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha1.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s: %s\n", k, v.Config[k])
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// hotOptions apply at once to a running VM; other hardware changes wait for its next start (pending).
var hotOptions = map[string]bool{"tags": true, "description": true, "name": true, "boot": true, "delete": true}

// updateConfig is POST (a task) or PUT (synchronous) config. Checked before the worker: the
// parameters, the digest and the VM's lock; a NIC without a MAC gets one.
func (s *Sim) updateConfig(v *VM, p map[string]string, sync bool) (string, error) {
	p = cloneMap(p)
	if e := checkConfigParams(p); e != nil {
		return "", e
	}
	if d := p["digest"]; d != "" && d != digest(v) {
		return "", fail("checksum mismatch (file change by other user?)")
	}
	if _, ok := p["skiplock"]; ok {
		return "", badParam("skiplock", "Only root may use this option.")
	}
	if err := lockError(v); err != nil {
		return "", fail("%s", err.Error())
	}
	for k, val := range p {
		if reNetKey.MatchString(k) {
			n, _ := parseNet(val)
			if n.mac == "" {
				n.mac = s.newMAC()
			}
			p[k] = n.String()
		}
	}
	delete(p, "digest")
	delete(p, "background_delay")
	apply := func() (func(), error) {
		if err := lockError(v); err != nil {
			return nil, err
		}
		for k, val := range p {
			if k == "delete" {
				for _, d := range splitList(val) {
					delete(v.Config, d)
				}
				continue
			}
			if v.Running && !hotOptions[k] && !isDriveKey(k) {
				if v.Pending == nil {
					v.Pending = map[string]string{}
				}
				v.Pending[k] = val
				continue
			}
			v.Config[k] = val
		}
		return nil, nil
	}
	if sync {
		_, err := apply()
		if err != nil {
			return "", fail("%s", err.Error())
		}
		return "", nil
	}
	return s.startTask(v.Node, "qmconfig", v.ID, v, s.opts.TaskTime.Config, apply), nil
}

// clone is POST /nodes/{node}/qemu/{vmid}/clone (qemu-server clone_vm): every check Proxmox makes
// before it forks the worker answers the request; the new VM's config file exists with "lock: clone"
// from then on, on the source node; the worker copies or links the disks and moves the config to the
// target node.
func (s *Sim) clone(src *VM, p map[string]string) (string, error) {
	if e := cloneSchema.check(p); e != nil {
		return "", e
	}
	node := src.Node
	target := p["target"]
	if target == node || target == "localhost" {
		target = ""
	}
	if target != "" && s.nodes[target] == nil {
		return "", fail("no such cluster node '%s'", target)
	}
	if sid := p["storage"]; sid != "" {
		st := s.storages[sid]
		if st == nil {
			return "", fail("storage '%s' does not exist", sid)
		}
		if !st.onNode(node) {
			return "", fail("storage '%s' is not available on node '%s'", sid, node)
		}
		if !st.holds("images") {
			return "", badParam("storage", fmt.Sprintf("storage '%s' does not support vm images", sid))
		}
		if target != "" {
			if !st.onNode(target) {
				return "", fail("storage '%s' is not available on node '%s'", sid, target)
			}
			if !st.Shared {
				return "", fail("can't clone to non-shared storage '%s'", sid)
			}
		}
	}
	if p["pool"] != "" {
		return "", fail("pool '%s' does not exist", p["pool"])
	}
	if err := lockError(src); err != nil {
		return "", fail("%s", err.Error())
	}
	if sn := p["snapname"]; sn != "" {
		return "", fail("snapshot '%s' does not exist", sn)
	}
	full := !src.Template
	if f, ok := p["full"]; ok {
		full, _ = parseBool(f)
	}
	if p["storage"] != "" && !full {
		return "", fail("parameter 'storage' not allowed for linked clones")
	}
	if p["format"] != "" && !full {
		return "", fail("parameter 'format' not allowed for linked clones")
	}
	shared := true
	for k, val := range src.Config {
		if !isDriveKey(k) {
			continue
		}
		d, _ := parseDrive(val)
		if d.file == "none" || d.file == "cdrom" {
			continue
		}
		sid, _, _ := strings.Cut(d.file, ":")
		if st := s.storages[sid]; st == nil || !st.Shared {
			shared = false
		}
	}
	if target != "" && !shared {
		return "", fail("can't clone VM to node '%s' (VM uses local storage)", target)
	}
	newid, _ := strconv.Atoi(p["newid"])
	if s.vms[newid] != nil {
		return "", fail("unable to create VM %d: config file already exists", newid)
	}
	var size uint64
	for _, k := range src.Disks() {
		d, _ := parseDrive(src.Config[k])
		vol := s.volumes[s.volKey(src.Node, d.file)]
		sid, _, _ := strings.Cut(d.file, ":")
		st := s.storages[sid]
		if vol == nil || st == nil {
			return "", fail("volume '%s' does not exist", d.file)
		}
		size += vol.size
		if !full && !(vol.base && storageTypes[st.Type].linked(vol.format)) {
			return "", fail("Linked clone feature is not supported for '%s' (%s)", d.file, k)
		}
	}
	nv := &VM{ID: newid, Node: node, Lock: "clone", ClonedFrom: src.ID, Linked: !full, Talos: src.Talos, Created: time.Now(), Config: map[string]string{}}
	s.vms[newid] = nv
	dur := s.opts.TaskTime.LinkedClone
	if full {
		dur = time.Duration(float64(s.opts.TaskTime.FullClonePerGiB) * float64(size) / float64(GiB))
	}
	name := p["name"]
	if name == "" {
		name = "Copy-of-VM-" + src.Name()
	}
	return s.startTask(node, "qmclone", newid, nv, dur, func() (func(), error) {
		cfg := map[string]string{}
		n := 0
		for _, k := range sortedKeys(src.Config) {
			val := src.Config[k]
			switch {
			case k == "template":
			case reNetKey.MatchString(k):
				nc, err := parseNet(val)
				if err != nil {
					return nil, s.abortClone(newid, err)
				}
				nc.mac = s.newMAC() // always a new MAC
				cfg[k] = nc.String()
			case isDriveKey(k) && !strings.Contains(val, "media=cdrom"):
				d, _ := parseDrive(val)
				vol := s.volumes[s.volKey(src.Node, d.file)]
				sid, _, _ := strings.Cut(d.file, ":")
				st := s.storages[sid]
				var volid, format string
				if full {
					if p["storage"] != "" {
						st = s.storages[p["storage"]]
					}
					format = resolveFormat(st, p["format"], vol.format)
					volid = volumeName(st, newid, n, format)
				} else {
					format = vol.format
					volid = fmt.Sprintf("%s/%s", d.file, strings.TrimPrefix(volumeName(st, newid, n, format), st.ID+":"))
				}
				n++
				owner := node
				if target != "" {
					owner = target
				}
				s.volumes[s.volKey(owner, volid)] = &volume{volid: volid, size: vol.size, format: format}
				cfg[k] = strings.Join(append([]string{volid}, "size="+formatSize(vol.size)), ",")
			default:
				cfg[k] = val
			}
		}
		cfg["name"] = name
		if p["description"] != "" {
			cfg["description"] = p["description"]
		}
		cfg["smbios1"] = "uuid=" + newUUID()
		nv.Config, nv.Lock = cfg, ""
		if target != "" {
			nv.Node = target
		}
		return nil, nil
	}), nil
}

// abortClone removes a half-made clone and returns the task's error.
func (s *Sim) abortClone(id int, err error) error {
	s.dropVM(id)
	return fmt.Errorf("clone failed: %v", err)
}

// dropVM removes a VM that never was (a failed clone) without recording a deletion.
func (s *Sim) dropVM(id int) {
	v := s.vms[id]
	if v == nil {
		return
	}
	for _, k := range v.Disks() {
		d, _ := parseDrive(v.Config[k])
		delete(s.volumes, s.volKey(v.Node, d.file))
	}
	delete(s.vms, id)
}

// resize is PUT resize, a task since qemu-server 8.0: only the parameters are checked before the
// worker; a missing disk, a CD-ROM or a smaller size fail the task.
func (s *Sim) resize(v *VM, p map[string]string) (string, error) {
	if e := resizeSchema.check(p); e != nil {
		return "", e
	}
	if _, ok := p["skiplock"]; ok {
		return "", badParam("skiplock", "Only root may use this option.")
	}
	disk, size := p["disk"], p["size"]
	return s.startTask(v.Node, "resize", v.ID, v, s.opts.TaskTime.Resize, func() (func(), error) {
		if d := p["digest"]; d != "" && d != digest(v) {
			return nil, fmt.Errorf("checksum mismatch (file change by other user?)")
		}
		if err := lockError(v); err != nil {
			return nil, err
		}
		val, ok := v.Config[disk]
		if !ok {
			return nil, fmt.Errorf("disk '%s' does not exist", disk)
		}
		d, _ := parseDrive(val)
		if d.media == "cdrom" {
			return nil, fmt.Errorf("you can't resize a cdrom")
		}
		vol := s.volumes[s.volKey(v.Node, d.file)]
		if vol == nil {
			return nil, fmt.Errorf("Could not determine current size of volume '%s'", d.file)
		}
		want := parseSize(strings.TrimPrefix(size, "+"))
		if strings.HasPrefix(size, "+") {
			want += vol.size
		}
		if want < vol.size {
			return nil, fmt.Errorf("shrinking disks is not supported")
		}
		vol.size = want
		v.Config[disk] = setDriveSize(val, formatSize(want))
		return nil, nil
	}), nil
}

// start is POST status/start: the checks run in the worker (qemu-server vm_start): lock, already
// running, template, vCPUs against the node's CPUs, bridges and CD-ROM volumes on the node.
func (s *Sim) start(v *VM, p map[string]string) (string, error) {
	if e := startSchema.check(p); e != nil {
		return "", e
	}
	if _, ok := p["skiplock"]; ok {
		return "", badParam("skiplock", "Only root may use this option.")
	}
	return s.startTask(v.Node, "qmstart", v.ID, v, s.opts.TaskTime.Start, func() (func(), error) {
		if err := lockError(v); err != nil {
			return nil, err
		}
		if v.Running {
			return nil, fmt.Errorf("VM %d already running", v.ID)
		}
		if v.Template {
			return nil, fmt.Errorf("you can't start a vm if it's a template")
		}
		node := s.nodes[v.Node]
		if v.vcpus() > node.CPUs {
			return nil, fmt.Errorf("MAX %d vcpus allowed per VM on this node", node.CPUs)
		}
		var iso []byte
		for _, k := range sortedKeys(v.Config) {
			val := v.Config[k]
			switch {
			case reNetKey.MatchString(k):
				n, err := parseNet(val)
				if err == nil && n.bridge != "" && !contains(node.Bridges, n.bridge) {
					return nil, fmt.Errorf("bridge '%s' does not exist", n.bridge)
				}
			case isDriveKey(k):
				d, _ := parseDrive(val)
				if d.file == "none" || d.file == "cdrom" {
					continue
				}
				vol := s.volumes[s.volKey(v.Node, d.file)]
				if vol == nil {
					return nil, fmt.Errorf("volume '%s' does not exist", d.file)
				}
				if d.media == "cdrom" && vol.data != nil && iso == nil {
					iso = vol.data
				}
			}
		}
		// Changes made while it ran apply now.
		for k, val := range v.Pending {
			v.Config[k] = val
		}
		v.Pending = nil
		v.Running, v.Started, v.ISO = true, time.Now(), iso
		cp := v.copy()
		return func() {
			if s.OnStart != nil {
				s.OnStart(cp)
			}
		}, nil
	}), nil
}

func (s *Sim) stop(v *VM, p map[string]string) (string, error) {
	if e := stopSchema.check(p); e != nil {
		return "", e
	}
	if _, ok := p["skiplock"]; ok {
		return "", badParam("skiplock", "Only root may use this option.")
	}
	return s.startTask(v.Node, "qmstop", v.ID, v, s.opts.TaskTime.Stop, func() (func(), error) {
		if err := lockError(v); err != nil {
			return nil, err
		}
		v.Running = false
		return nil, nil
	}), nil
}

// destroy is DELETE qemu/{vmid}: a running VM is refused at once; the worker refuses a locked VM,
// removes the disks and the config.
func (s *Sim) destroy(v *VM, p map[string]string) (string, error) {
	if e := destroySchema.check(p); e != nil {
		return "", e
	}
	if _, ok := p["skiplock"]; ok {
		return "", badParam("skiplock", "Only root may use this option.")
	}
	if v.Running {
		return "", fail("VM %d is running - destroy failed", v.ID)
	}
	return s.startTask(v.Node, "qmdestroy", v.ID, v, s.opts.TaskTime.Destroy, func() (func(), error) {
		if v.Running {
			return nil, fmt.Errorf("VM %d is running - destroy failed", v.ID)
		}
		if err := lockError(v); err != nil {
			return nil, err
		}
		if s.vms[v.ID] != v {
			return nil, fmt.Errorf("Configuration file 'nodes/%s/qemu-server/%d.conf' does not exist", v.Node, v.ID)
		}
		for _, k := range v.Disks() {
			d, _ := parseDrive(v.Config[k])
			delete(s.volumes, s.volKey(v.Node, d.file))
		}
		delete(s.vms, v.ID)
		v.Deleted = time.Now()
		s.deleted = append(s.deleted, v)
		cp := v.copy()
		return func() {
			if s.OnDelete != nil {
				s.OnDelete(cp)
			}
		}, nil
	}), nil
}

// parseSize reads a Proxmox size (bytes, or a number with K, M, G or T, powers of 1024).
func parseSize(v string) uint64 {
	if v == "" {
		return 0
	}
	mult := uint64(1)
	switch v[len(v)-1] {
	case 'K':
		mult = 1 << 10
	case 'M':
		mult = 1 << 20
	case 'G':
		mult = 1 << 30
	case 'T':
		mult = 1 << 40
	}
	if mult != 1 {
		v = v[:len(v)-1]
	}
	f, _ := strconv.ParseFloat(v, 64)
	return uint64(f * float64(mult))
}

// formatSize prints a size in the largest unit that divides it, as Proxmox writes disk sizes.
func formatSize(b uint64) string {
	units := []string{"", "K", "M", "G", "T"}
	i := 0
	for i < len(units)-1 && b%1024 == 0 && b > 0 {
		b /= 1024
		i++
	}
	return fmt.Sprintf("%d%s", b, units[i])
}

func driveSize(val string) string {
	for _, part := range strings.Split(val, ",") {
		if strings.HasPrefix(part, "size=") {
			return strings.TrimPrefix(part, "size=")
		}
	}
	return ""
}

func setDriveSize(val, size string) string {
	var out []string
	for _, part := range strings.Split(val, ",") {
		if !strings.HasPrefix(part, "size=") {
			out = append(out, part)
		}
	}
	return strings.Join(append(out, "size="+size), ",")
}

// DiskSize returns the size= of a VM disk (e.g. "40G").
func DiskSize(v *VM, disk string) string { return driveSize(v.Config[disk]) }

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

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedVMIDs(m map[int]*VM) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

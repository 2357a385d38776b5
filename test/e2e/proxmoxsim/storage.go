package proxmoxsim

import (
	"fmt"
	"strings"
)

// volume is a disk image, template base image or ISO on a storage.
type volume struct {
	volid  string // <storage>:<name>
	size   uint64
	format string // raw, qcow2, vmdk, iso
	base   bool   // a template's base image (linked clones can be made from it)
	data   []byte // an uploaded ISO's content
}

// storageType facts (pve-storage plugins): which disk formats a storage type holds (the first is its
// default) and whether it makes linked clones of template images. A requested format the storage
// does not hold falls back to its default (qemu-server resolve_dst_disk_format).
var storageTypes = map[string]struct {
	formats []string
	linked  func(format string) bool
}{
	"dir":     {formats: []string{"raw", "qcow2", "vmdk"}, linked: func(f string) bool { return f == "qcow2" }},
	"nfs":     {formats: []string{"raw", "qcow2", "vmdk"}, linked: func(f string) bool { return f == "qcow2" }},
	"lvmthin": {formats: []string{"raw"}, linked: func(string) bool { return true }},
	"rbd":     {formats: []string{"raw"}, linked: func(string) bool { return true }},
}

func (st *Storage) holds(content string) bool { return contains(st.Content, content) }

func (st *Storage) onNode(node string) bool { return len(st.Nodes) == 0 || contains(st.Nodes, node) }

// volKey scopes a volume: a shared storage's volumes are the same on every node, a local storage's
// belong to one node.
func (s *Sim) volKey(node, volid string) string {
	sid, _, _ := strings.Cut(volid, ":")
	if st := s.storages[sid]; st != nil && st.Shared {
		return "shared/" + volid
	}
	return node + "/" + volid
}

// resolveFormat picks the format of a new disk on a storage: the requested one, else the source's,
// if the storage holds it, else the storage's default.
func resolveFormat(st *Storage, requested, source string) string {
	formats := storageTypes[st.Type].formats
	for _, f := range []string{requested, source} {
		if f != "" && contains(formats, f) {
			return f
		}
	}
	return formats[0]
}

// volumeName is the name of a VM's n-th disk on a storage of that type and format.
func volumeName(st *Storage, vmid, n int, format string) string {
	if st.Type == "dir" || st.Type == "nfs" {
		return fmt.Sprintf("%s:%d/vm-%d-disk-%d.%s", st.ID, vmid, vmid, n, format)
	}
	return fmt.Sprintf("%s:vm-%d-disk-%d", st.ID, vmid, n)
}

func storageInfo(st *Storage) map[string]any {
	return map[string]any{"storage": st.ID, "type": st.Type, "content": strings.Join(st.Content, ","), "enabled": 1, "active": 1,
		"shared": boolInt(st.Shared), "total": 4 << 40, "used": 1 << 40, "avail": 3 << 40}
}

// storages answers GET /nodes/{node}/storage.
func (s *Sim) storageList(node string, p map[string]string) (any, error) {
	if err := storageListSchema.check(p); err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, id := range sortedKeys(s.storages) {
		st := s.storages[id]
		if !st.onNode(node) || (p["content"] != "" && !st.holds(p["content"])) {
			continue
		}
		out = append(out, storageInfo(st))
	}
	return out, nil
}

func (s *Sim) storage(method, node, sid, op, volid string, p map[string]string, file []byte) (any, func(), error) {
	st := s.storages[sid]
	if st == nil || !st.onNode(node) {
		return nil, nil, fail("storage '%s' does not exist", sid)
	}
	switch {
	case op == "status" && method == "GET":
		if err := noParams.check(p); err != nil {
			return nil, nil, err
		}
		return storageInfo(st), nil, nil
	case op == "upload" && method == "POST":
		if err := uploadSchema.check(p); err != nil {
			return nil, nil, err
		}
		content, name := p["content"], p["filename"]
		if !st.holds(content) {
			return nil, nil, fail("storage '%s' does not support '%s' content", sid, content)
		}
		if content == "iso" && !strings.HasSuffix(strings.ToLower(name), ".iso") && !strings.HasSuffix(strings.ToLower(name), ".img") {
			return nil, nil, badParam("filename", "wrong file extension")
		}
		vol := fmt.Sprintf("%s:%s/%s", sid, content, name)
		data := append([]byte(nil), file...)
		upid := s.startTask(node, "imgcopy", 0, nil, s.opts.TaskTime.Upload, func() (func(), error) {
			s.volumes[s.volKey(node, vol)] = &volume{volid: vol, format: content, size: uint64(len(data)), data: data}
			return nil, nil
		})
		return upid, nil, nil
	case strings.HasPrefix(op, "content/"):
		v := s.volumes[s.volKey(node, volid)]
		if v == nil {
			return nil, nil, fail("volume '%s' does not exist", volid)
		}
		if method == "DELETE" {
			if err := contentDeleteSchema.check(p); err != nil {
				return nil, nil, err
			}
			key := s.volKey(node, volid)
			upid := s.startTask(node, "imgdel", 0, nil, s.opts.TaskTime.Upload, func() (func(), error) {
				delete(s.volumes, key)
				return nil, nil
			})
			return upid, nil, nil
		}
		return map[string]any{"volid": volid, "format": v.format, "size": v.size, "used": v.size, "path": "/var/lib/vz/template/iso/" + strings.TrimPrefix(volid, sid+":iso/")}, nil, nil
	}
	return nil, nil, notImplemented(method, "/nodes/"+node+"/storage/"+sid+"/"+op)
}

package proxmoxsim

// Contract tests: the simulator answered through the real client CAPMOX v0.9.0 uses
// (github.com/luthermonson/go-proxmox v0.6.0), call by call as CAPMOX makes them. Each test names the
// Proxmox rule it holds the simulator to; a simulator that accepts what Proxmox refuses fails here.

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	proxmox "github.com/luthermonson/go-proxmox"
)

const (
	tokenID, tokenSecret = "root@pam!capmox", "simulated"
)

// datacenter: venus (local storage, the templates), mars (small), a shared rbd pool on both, a dir
// storage for images on venus.
func newTestSim(t *testing.T) *Sim {
	t.Helper()
	s := New(Options{
		TokenID: tokenID, TokenSecret: tokenSecret, AuthFailureDelay: time.Millisecond,
		TaskTime: TaskTimes{FullClonePerGiB: 20 * time.Millisecond, LinkedClone: 50 * time.Millisecond, Config: 50 * time.Millisecond,
			Resize: 50 * time.Millisecond, Start: 50 * time.Millisecond, Stop: 20 * time.Millisecond, Destroy: 20 * time.Millisecond, Upload: 10 * time.Millisecond},
		Nodes: []Node{
			{Name: "venus", Memory: 64 * GiB, CPUs: 16, Bridges: []string{"vmbr0"}},
			{Name: "mars", Memory: 32 * GiB, CPUs: 8, Bridges: []string{"vmbr0", "vmbr1"}},
		},
		Storages: append(DefaultStorages(),
			Storage{ID: "ceph", Type: "rbd", Content: []string{"images"}, Shared: true},
			Storage{ID: "vmdir", Type: "dir", Content: []string{"images", "iso"}, Nodes: []string{"venus"}}),
	})
	s.AddTemplate(Template{Node: "venus", ID: 100, Name: "talos", BootDisk: "virtio0", Talos: TalosOS{Version: "v1.11.1"}})
	s.AddTemplate(Template{Node: "venus", ID: 110, Name: "talos-shared", Storage: "ceph", BootDisk: "virtio0", Talos: TalosOS{Version: "v1.12.0"}})
	s.AddTemplate(Template{Node: "venus", ID: 120, Name: "talos-dir", Storage: "vmdir", BootDisk: "scsi0", Talos: TalosOS{Version: "v1.11.1", Installer: true}})
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func client(s *Sim, id, secret string) *proxmox.Client {
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	return proxmox.NewClient(s.URL()+"/api2/json", proxmox.WithHTTPClient(hc), proxmox.WithAPIToken(id, secret))
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func vmOf(t *testing.T, c *proxmox.Client, node string, id int) *proxmox.VirtualMachine {
	t.Helper()
	n, err := c.Node(ctx(t), node)
	if err != nil {
		t.Fatal(err)
	}
	vm, err := n.VirtualMachine(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return vm
}

// wait waits for a task and returns its exit status.
func wait(t *testing.T, task *proxmox.Task) string {
	t.Helper()
	if err := task.Wait(ctx(t), 20*time.Millisecond, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	return task.ExitStatus
}

func cloneOf(t *testing.T, c *proxmox.Client, tmpl int, opts proxmox.VirtualMachineCloneOptions) (int, *proxmox.Task, error) {
	t.Helper()
	return vmOf(t, c, "venus", tmpl).Clone(ctx(t), &opts)
}

// fullClone makes VM 101 as a full clone of template 100, waits for its task and returns the VM.
func fullClone(t *testing.T, c *proxmox.Client) *proxmox.VirtualMachine {
	t.Helper()
	_, task, err := cloneOf(t, c, 100, proxmox.VirtualMachineCloneOptions{NewID: 101, Full: 1})
	if err != nil || wait(t, task) != "OK" {
		t.Fatal(err)
	}
	return vmOf(t, c, "venus", 101)
}

// Proxmox refuses a request without the token, with another token or a wrong secret (401, which
// go-proxmox reports as "not authorized"): a harness whose CAPMOX had no valid token would fail.
func TestTokenChecked(t *testing.T) {
	s := newTestSim(t)
	for name, c := range map[string]*proxmox.Client{
		"no token":     proxmox.NewClient(s.URL()+"/api2/json", proxmox.WithHTTPClient(&http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}})),
		"wrong secret": client(s, tokenID, "guess"),
		"other token":  client(s, "root@pam!other", tokenSecret),
	} {
		if _, err := c.Version(ctx(t)); !errors.Is(err, proxmox.ErrNotAuthorized) {
			t.Errorf("%s: %v, want not authorized", name, err)
		}
	}
	v, err := client(s, tokenID, tokenSecret).Version(ctx(t))
	if err != nil || v.Release != "9.1" {
		t.Fatalf("version with the token: %v %v", v, err)
	}
	for _, r := range s.Log() {
		if r.Status == 401 && r.Error == "" {
			t.Errorf("a refused request without a reason: %+v", r)
		}
	}
}

// A clone is a task: the new VM exists at once with "lock: clone" and refuses configuration until the
// task ends (CAPMOX must wait for its TaskRef); then it has its own SMBIOS UUID, a new MAC, a full copy
// of the disk and no template flag.
func TestCloneIsATaskAndLocksTheNewVM(t *testing.T) {
	s := New(Options{TokenID: tokenID, TokenSecret: tokenSecret, TaskTime: TaskTimes{FullClonePerGiB: 100 * time.Millisecond},
		Nodes: []Node{{Name: "venus", Memory: 64 * GiB, CPUs: 16, Bridges: []string{"vmbr0"}}}})
	s.AddTemplate(Template{Node: "venus", ID: 100, Name: "talos", BootDisk: "virtio0", Talos: TalosOS{Version: "v1.11.1"}})
	s.Start()
	defer s.Close()
	c := client(s, tokenID, tokenSecret)
	id, task, err := cloneOf(t, c, 100, proxmox.VirtualMachineCloneOptions{NewID: 101, Name: "cp-1", Full: 1})
	if err != nil || id != 101 {
		t.Fatalf("clone: %d %v", id, err)
	}
	if err := task.Ping(ctx(t)); err != nil || !task.IsRunning {
		t.Fatalf("a 10 GiB full clone finished at once: %+v %v", task, err)
	}
	cfg := &proxmox.VirtualMachineConfig{}
	if err := c.Get(ctx(t), "/nodes/venus/qemu/101/config", cfg); err != nil || cfg.Lock != "clone" {
		t.Fatalf("config while cloning: %+v %v, want only lock: clone", cfg, err)
	}
	vm := &proxmox.VirtualMachine{}
	vm.New(c, "venus", 101)
	if _, err := vm.Config(ctx(t), proxmox.VirtualMachineOption{Name: "cores", Value: 4}); err == nil || !strings.Contains(err.Error(), "VM 101 is locked (clone)") {
		t.Fatalf("configuring a VM being cloned: %v, want it locked", err)
	}
	if st := wait(t, task); st != "OK" {
		t.Fatalf("clone task: %s", st)
	}
	vm = vmOf(t, c, "venus", 101)
	tmpl := vmOf(t, c, "venus", 100)
	if vm.VirtualMachineConfig.Template != 0 || vm.VirtualMachineConfig.SMBios1 == tmpl.VirtualMachineConfig.SMBios1 ||
		vm.VirtualMachineConfig.Net0 == tmpl.VirtualMachineConfig.Net0 || vm.VirtualMachineConfig.Name != "cp-1" {
		t.Errorf("clone config %+v (template %+v): want no template flag, a new UUID, a new MAC, the name", vm.VirtualMachineConfig, tmpl.VirtualMachineConfig)
	}
	if got := vm.VirtualMachineConfig.VirtIO0; got != "local-lvm:vm-101-disk-0,size=10G" {
		t.Errorf("full clone disk %q, want a copy on the template's storage", got)
	}
}

// Clone semantics of clone_vm: a target node only when every disk is on shared storage; linked clones
// (the default from a template) refuse a target storage or format and need a storage that links the
// template's image; a full clone to a storage takes a format it holds (else its default); an ID taken
// (even by a clone in progress) is refused.
func TestCloneRules(t *testing.T) {
	s := newTestSim(t)
	c := client(s, tokenID, tokenSecret)
	refused := []struct {
		name, want string
		tmpl       int
		opts       proxmox.VirtualMachineCloneOptions
	}{
		{"to another node from local storage", "can't clone VM to node 'mars' (VM uses local storage)", 100, proxmox.VirtualMachineCloneOptions{NewID: 201, Full: 1, Target: "mars"}},
		{"to a non-shared storage on another node", "can't clone to non-shared storage 'local-lvm'", 110, proxmox.VirtualMachineCloneOptions{NewID: 201, Full: 1, Target: "mars", Storage: "local-lvm"}},
		{"linked with a storage", "parameter 'storage' not allowed for linked clones", 100, proxmox.VirtualMachineCloneOptions{NewID: 201, Storage: "ceph"}},
		{"linked with a format", "parameter 'format' not allowed for linked clones", 100, proxmox.VirtualMachineCloneOptions{NewID: 201, Format: "qcow2"}},
		{"linked from a raw image on a directory", "Linked clone feature is not supported for 'vmdir:base-120-disk-0' (scsi0)", 120, proxmox.VirtualMachineCloneOptions{NewID: 201}},
		{"to an unknown node", "no such cluster node 'pluto'", 100, proxmox.VirtualMachineCloneOptions{NewID: 201, Full: 1, Target: "pluto"}},
		{"to a storage without images", "does not support vm images", 100, proxmox.VirtualMachineCloneOptions{NewID: 201, Full: 1, Storage: "local"}},
		{"an ID that is taken", "unable to create VM 110: config file already exists", 100, proxmox.VirtualMachineCloneOptions{NewID: 110, Full: 1}},
		{"an ID below 100", "value must have a minimum value of 100", 100, proxmox.VirtualMachineCloneOptions{NewID: 99, Full: 1}},
		{"a name that is no DNS name", "value does not look like a valid DNS name", 100, proxmox.VirtualMachineCloneOptions{NewID: 201, Full: 1, Name: "cp_1"}},
	}
	for _, r := range refused {
		if _, _, err := cloneOf(t, c, r.tmpl, r.opts); err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("clone %s: %v, want %q", r.name, err, r.want)
		}
	}
	if n := len(s.VMs()); n != 0 {
		t.Fatalf("refused clones left %d VMs", n)
	}

	// Allowed: shared storage to another node; a linked clone; a full clone to a directory in qcow2,
	// and to LVM-thin asking qcow2 (raw: LVM-thin holds nothing else).
	ok := []struct {
		name, node, disk, key string
		tmpl                  int
		linked                bool
		opts                  proxmox.VirtualMachineCloneOptions
	}{
		{"shared storage to mars", "mars", "ceph:vm-301-disk-0,size=10G", "virtio0", 110, false, proxmox.VirtualMachineCloneOptions{NewID: 301, Full: 1, Target: "mars"}},
		{"linked", "venus", "local-lvm:base-100-disk-0/vm-302-disk-0,size=10G", "virtio0", 100, true, proxmox.VirtualMachineCloneOptions{NewID: 302}},
		{"full to a directory as qcow2", "venus", "vmdir:303/vm-303-disk-0.qcow2,size=10G", "virtio0", 100, false, proxmox.VirtualMachineCloneOptions{NewID: 303, Full: 1, Storage: "vmdir", Format: "qcow2"}},
		{"full to lvm-thin asking qcow2", "venus", "local-lvm:vm-304-disk-0,size=10G", "virtio0", 110, false, proxmox.VirtualMachineCloneOptions{NewID: 304, Full: 1, Storage: "local-lvm", Format: "qcow2"}},
	}
	for _, o := range ok {
		_, task, err := cloneOf(t, c, o.tmpl, o.opts)
		if err != nil {
			t.Errorf("clone %s: %v", o.name, err)
			continue
		}
		if st := wait(t, task); st != "OK" {
			t.Errorf("clone %s: task %s", o.name, st)
			continue
		}
		var got *VM
		for _, v := range s.VMs() {
			if v.ID == o.opts.NewID {
				got = v
			}
		}
		if got == nil || got.Node != o.node || got.Config[o.key] != o.disk || got.Linked != o.linked {
			t.Errorf("clone %s: %+v, want on %s with %s=%s, linked %v", o.name, got, o.node, o.key, o.disk, o.linked)
		}
	}
}

// Without a vmIDRange CAPMOX clones with newid 0: go-proxmox asks /cluster/nextid for the lowest free
// ID. Two clones that got the same ID race: the second is refused because the first one's config
// file exists from the moment it was accepted.
func TestNextIDAndTheCloneRace(t *testing.T) {
	s := newTestSim(t)
	c := client(s, tokenID, tokenSecret)
	cl, err := c.Cluster(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	id, err := cl.NextID(ctx(t))
	if err != nil || id != 101 {
		t.Fatalf("next id %d %v, want 101 (100 and 110, 120 are templates)", id, err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = cloneOf(t, c, 100, proxmox.VirtualMachineCloneOptions{NewID: id, Full: 1})
		}()
	}
	wg.Wait()
	failed := 0
	for _, e := range errs {
		if e != nil {
			failed++
			if !strings.Contains(e.Error(), "config file already exists") {
				t.Errorf("the losing clone: %v", e)
			}
		}
	}
	if failed != 1 {
		t.Fatalf("two clones onto VM %d: %v, want exactly one refused", id, errs)
	}
	if free, err := cl.CheckID(ctx(t), id); err != nil || free {
		t.Errorf("CheckID(%d) while it is cloned: free=%v %v", id, free, err)
	}
	if next, _ := cl.NextID(ctx(t)); next != 102 {
		t.Errorf("next id %d while 101 is being cloned, want 102", next)
	}
}

// Resize is a task (qemu-server 8.0+): a disk grows; a smaller size, a missing disk fail the task (not
// the request: CAPMOX, which ignores the task, never learns of it); a malformed size is a 400.
func TestResize(t *testing.T) {
	s := newTestSim(t)
	c := client(s, tokenID, tokenSecret)
	vm := fullClone(t, c)
	for _, r := range []struct{ disk, size, want string }{
		{"virtio0", "40G", "OK"},
		{"virtio0", "+2G", "OK"},
		{"virtio0", "20G", "shrinking disks is not supported"},
		{"scsi0", "40G", "disk 'scsi0' does not exist"},
	} {
		task, err := vm.ResizeDisk(ctx(t), r.disk, r.size)
		if err != nil {
			t.Fatalf("resize %s %s refused as a request: %v", r.disk, r.size, err)
		}
		if st := wait(t, task); st != r.want {
			t.Errorf("resize %s to %s: task %q, want %q", r.disk, r.size, st, r.want)
		}
	}
	if got := DiskSize(s.VMs()[0], "virtio0"); got != "42G" {
		t.Errorf("disk after 40G, +2G and a refused shrink: %s, want 42G", got)
	}
	if _, err := vm.ResizeDisk(ctx(t), "virtio0", "big"); err == nil || !strings.Contains(err.Error(), "regex pattern") {
		t.Errorf("resize to 'big': %v, want a parameter error", err)
	}
}

// Config is checked against the schema (net[n], memory, tags, unknown options are not silently
// stored); a NIC without a MAC gets one with Proxmox's prefix; config tasks on one VM run one after
// the other (the config lock).
func TestConfigChecks(t *testing.T) {
	s := newTestSim(t)
	c := client(s, tokenID, tokenSecret)
	vm := fullClone(t, c)
	for _, r := range []struct {
		opt  proxmox.VirtualMachineOption
		want string
	}{
		{proxmox.VirtualMachineOption{Name: "net0", Value: "virtio,bridge=vmbr0,tag=5000"}, "tag"},
		{proxmox.VirtualMachineOption{Name: "net0", Value: "virtio,bridge=vmbr0,speed=10"}, "speed"},
		{proxmox.VirtualMachineOption{Name: "net0", Value: "virtio=01:00:00:00:00:01,bridge=vmbr0"}, "unicast MAC"},
		{proxmox.VirtualMachineOption{Name: "memory", Value: 8}, "minimum value of 16"},
		{proxmox.VirtualMachineOption{Name: "cores", Value: 0}, "minimum value of 1"},
		{proxmox.VirtualMachineOption{Name: "tags", Value: "ip:1.2.3.4"}, "invalid characters in tag"},
		{proxmox.VirtualMachineOption{Name: "boot", Value: "order=virtio0;floppy"}, "invalid boot device"},
		{proxmox.VirtualMachineOption{Name: "hostpci0", Value: "0000:01:00"}, "not modelled by the simulator"},
	} {
		if _, err := vm.Config(ctx(t), r.opt); err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("config %s=%v: %v, want %q", r.opt.Name, r.opt.Value, err, r.want)
		}
	}
	t1, err := vm.Config(ctx(t), proxmox.VirtualMachineOption{Name: "net0", Value: "virtio,bridge=vmbr0,tag=42"})
	if err != nil {
		t.Fatal(err)
	}
	t2, err := vm.Config(ctx(t), proxmox.VirtualMachineOption{Name: "cores", Value: 4}, proxmox.VirtualMachineOption{Name: "memory", Value: 4096})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, t1)
	wait(t, t2)
	tasks := map[string]Task{}
	for _, tk := range s.Tasks() {
		tasks[tk.UPID] = tk
	}
	if a, b := tasks[string(t1.UPID)], tasks[string(t2.UPID)]; !b.End.After(a.End) || b.End.Sub(a.End) < 40*time.Millisecond {
		t.Errorf("two config tasks on one VM overlapped: %s..%s and %s..%s", a.Start, a.End, b.Start, b.End)
	}
	got := s.VMs()[0].Config
	if !strings.HasPrefix(got["net0"], "virtio=BC:24:11:") || !strings.HasSuffix(got["net0"], ",bridge=vmbr0,tag=42") || got["cores"] != "4" || got["memory"] != "4096" {
		t.Errorf("config after the updates: %v", got)
	}
}

// Start runs the checks of vm_start in its task: a VM with more vCPUs than the node has, or a NIC on a
// bridge the node lacks, does not start; a running VM is not destroyed.
func TestStartAndDestroy(t *testing.T) {
	s := newTestSim(t)
	c := client(s, tokenID, tokenSecret)
	var started []*VM
	s.OnStart = func(v *VM) { started = append(started, v) }
	vm := fullClone(t, c)
	for _, r := range []struct {
		opts []proxmox.VirtualMachineOption
		want string
	}{
		{[]proxmox.VirtualMachineOption{{Name: "sockets", Value: 4}, {Name: "cores", Value: 8}}, "MAX 16 vcpus allowed per VM on this node"},
		{[]proxmox.VirtualMachineOption{{Name: "sockets", Value: 1}, {Name: "net1", Value: "virtio,bridge=vmbr1"}}, "bridge 'vmbr1' does not exist"},
	} {
		task, err := vm.Config(ctx(t), r.opts...)
		if err != nil || wait(t, task) != "OK" {
			t.Fatal(err)
		}
		task, err = vm.Start(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if st := wait(t, task); st != r.want {
			t.Errorf("start: %q, want %q", st, r.want)
		}
	}
	task, err := vm.Config(ctx(t), proxmox.VirtualMachineOption{Name: "delete", Value: "net1"})
	if err != nil || wait(t, task) != "OK" {
		t.Fatal(err)
	}
	task, err = vm.Start(ctx(t))
	if err != nil || wait(t, task) != "OK" {
		t.Fatalf("start: %v %s", err, task.ExitStatus)
	}
	if len(started) != 1 || started[0].ID != 101 {
		t.Errorf("OnStart calls: %v", started)
	}
	vm = vmOf(t, c, "venus", 101)
	if _, err := vm.Delete(ctx(t)); err == nil || !strings.Contains(err.Error(), "VM 101 is running - destroy failed") {
		t.Errorf("destroying a running VM: %v", err)
	}
}

// CAPMOX's scheduler reads node memory and every VM's maxmem (GetReservableMemoryBytes): the
// simulated node's memory is used up by the VMs on it, templates excluded.
func TestReservableMemory(t *testing.T) {
	s := newTestSim(t)
	s.AddVM("mars", 500, "someone-elses-db", 24*1024, true)
	c := client(s, tokenID, tokenSecret)
	n, err := c.Node(ctx(t), "mars")
	if err != nil {
		t.Fatal(err)
	}
	vms, err := n.VirtualMachines(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	free := n.Memory.Total
	for _, v := range vms {
		if !bool(v.Template) {
			free -= v.MaxMem
		}
	}
	if n.Memory.Total != 32*GiB || free != 8*GiB {
		t.Errorf("mars: total %d, reservable %d; want 32 GiB with 8 GiB left", n.Memory.Total, free)
	}
}

// A task fault makes matching tasks fail with its message; a failed clone leaves no VM.
func TestTaskFault(t *testing.T) {
	s := newTestSim(t)
	c := client(s, tokenID, tokenSecret)
	remove := s.InjectTaskFault(TaskFault{Type: "qmclone", FromVMID: 101, ToVMID: 101, Count: 1, Message: "clone failed: storage 'local-lvm' is full"})
	defer remove()
	_, task, err := cloneOf(t, c, 100, proxmox.VirtualMachineCloneOptions{NewID: 101, Full: 1})
	if err != nil {
		t.Fatal(err)
	}
	if st := wait(t, task); st != "clone failed: storage 'local-lvm' is full" || !task.IsFailed {
		t.Fatalf("faulty clone: %q failed=%v", st, task.IsFailed)
	}
	if n := len(s.VMs()); n != 0 {
		t.Fatalf("a failed clone left %d VMs", n)
	}
	_, task, err = cloneOf(t, c, 100, proxmox.VirtualMachineCloneOptions{NewID: 101, Full: 1})
	if err != nil || wait(t, task) != "OK" {
		t.Fatalf("the second clone (fault used up): %v", err)
	}
}

package harness

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	talosconfig "github.com/siderolabs/talos/pkg/machinery/config"

	"github.com/capi-proxmox-talos/e2e/proxmoxsim"
	"github.com/capi-proxmox-talos/e2e/talossim"
)

// Boot is what a simulated VM learns from its nocloud ISO when it starts, and what Talos made of it
// (talossim.Boot: the version it runs, the config as that version loaded it).
type Boot struct {
	VMID           int
	UUID           string
	Hostname       string
	Address        string   // from network-config (the default NIC's)
	Addresses      []string // every static address in network-config
	NetworkConfig  string   // the raw network-config
	ControlPlane   bool
	ClusterName    string
	Endpoint       string // cluster.controlPlane.endpoint
	Labels         map[string]string
	Taints         map[string]string
	TalosCA        KeyPair // machine.ca (control planes only carry the key)
	K8sCA          KeyPair // cluster.ca
	Config         string  // the raw user-data (the Talos machine config)
	TalosVersion   string  // the Talos version the node runs (its template's, or the one it installed)
	Installed      string  // the installer image it installed, "" when it booted an installed disk image
	KernelArgs     []string
	KubeletVersion string               // the tag of the kubelet image of the config it booted
	Loaded         talosconfig.Provider // the config as the node loaded it (nil when it refused it)
	Console        []string             // what the node printed
	Failed         error                // the node did not come up (no Talos API, no kubelet)
}

// TalosOptions are the timings of every simulated Talos cluster (learner promotion, health, boot).
var TalosOptions = talossim.DefaultOptions

// Workload is one simulated workload cluster: Talos API nodes, and its API server, started when
// CACPPT bootstraps etcd (as on a real cluster, where the API server comes up after bootstrap).
type Workload struct {
	Name   string
	Talos  *talossim.Cluster
	Env    *envtest.Environment
	Client client.Client
	Err    error // from starting the API server
	boots  map[int]*Boot
}

// Fleet turns simulated VM starts into Talos nodes: a CP's Talos API starts; once the cluster's
// API server runs, every running VM is registered as a Ready Node with its providerID (the
// kubelet's part). It also stops the Talos API of deleted VMs.
type Fleet struct {
	mgmt   *Management
	pve    *proxmoxsim.Sim
	mu     sync.Mutex
	byName map[string]*Workload
	errs   []string
	stop   chan struct{}
	wg     sync.WaitGroup
}

// NewFleet hooks into the simulator and starts the kubelet loop.
func NewFleet(m *Management, pve *proxmoxsim.Sim) *Fleet {
	f := &Fleet{mgmt: m, pve: pve, byName: map[string]*Workload{}, stop: make(chan struct{})}
	pve.OnStart = f.onStart
	pve.OnDelete = f.onDelete
	f.wg.Add(1)
	go f.kubelets()
	return f
}

// Workload returns the simulated workload cluster with the given (Talos) cluster name.
func (f *Fleet) Workload(name string) *Workload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.byName[name]
}

// Errors returns what went wrong while booting VMs (unreadable ISO, bad Talos config...).
func (f *Fleet) Errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

// Boots returns the boot records of the running VMs of a cluster, failed boots too.
func (w *Workload) Boots() []*Boot {
	var out []*Boot
	for _, b := range w.boots {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].VMID < out[j].VMID })
	return out
}

func (f *Fleet) fail(format string, args ...any) {
	f.mu.Lock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}

// CAPMOX's network-config lists addresses as "- '<ip>/<prefix>'" (pkg/cloudinit/network.go).
var reAddress = regexp.MustCompile(`- '(\d+\.\d+\.\d+\.\d+)/\d+'`)

// blockDevices are the disks Talos sees in a VM: virtioN as /dev/vdX, scsiN and sataN as /dev/sdX.
func blockDevices(vm *proxmoxsim.VM) []string {
	var out []string
	for _, k := range vm.Disks() {
		var n int
		switch {
		case strings.HasPrefix(k, "virtio"):
			fmt.Sscanf(k, "virtio%d", &n)
			out = append(out, fmt.Sprintf("/dev/vd%c", 'a'+n))
		case strings.HasPrefix(k, "scsi"):
			fmt.Sscanf(k, "scsi%d", &n)
			out = append(out, fmt.Sprintf("/dev/sd%c", 'a'+n))
		case strings.HasPrefix(k, "sata"):
			fmt.Sscanf(k, "sata%d", &n)
			out = append(out, fmt.Sprintf("/dev/sd%c", 'a'+n))
		}
	}
	return out
}

// ParseBoot reads the Talos machine config and network config from a VM's ISO, and boots Talos on
// it: the version the VM's template holds loads the config and, from an installer ISO, installs.
func ParseBoot(vm *proxmoxsim.VM) (*Boot, error) {
	files, err := proxmoxsim.ISOFiles(vm.ISO, "user-data", "network-config", "meta-data")
	if err != nil {
		return nil, err
	}
	b := &Boot{VMID: vm.ID, UUID: vm.UUID(), Config: string(files["user-data"]), NetworkConfig: string(files["network-config"])}
	for _, m := range reAddress.FindAllStringSubmatch(string(files["network-config"]), -1) {
		b.Addresses = append(b.Addresses, m[1])
	}
	if len(b.Addresses) == 0 {
		return nil, fmt.Errorf("no static address in network-config:\n%s", files["network-config"])
	}
	b.Address = b.Addresses[0]
	docs, err := ReadYAMLDocs(files["user-data"])
	if err != nil {
		return nil, fmt.Errorf("user-data is not YAML: %w", err)
	}
	for _, d := range docs {
		var doc struct {
			Version, Kind, Hostname string
			Machine                 struct {
				Type       string
				CA         struct{ Crt, Key string }
				Network    struct{ Hostname string }
				NodeLabels map[string]string `json:"nodeLabels"`
				NodeTaints map[string]string `json:"nodeTaints"`
			}
			Cluster struct {
				ClusterName  string `json:"clusterName"`
				ControlPlane struct{ Endpoint string }
				CA           struct{ Crt, Key string }
			}
		}
		if err := yaml.Unmarshal(d, &doc); err != nil {
			return nil, err
		}
		switch {
		case doc.Version == "v1alpha1":
			b.ControlPlane = doc.Machine.Type == "controlplane" || doc.Machine.Type == "init"
			b.ClusterName = doc.Cluster.ClusterName
			b.Endpoint = doc.Cluster.ControlPlane.Endpoint
			b.Labels, b.Taints = doc.Machine.NodeLabels, doc.Machine.NodeTaints
			if doc.Machine.Network.Hostname != "" {
				b.Hostname = doc.Machine.Network.Hostname
			}
			b.TalosCA = KeyPair{Cert: unb64(doc.Machine.CA.Crt), Key: unb64(doc.Machine.CA.Key)}
			b.K8sCA = KeyPair{Cert: unb64(doc.Cluster.CA.Crt), Key: unb64(doc.Cluster.CA.Key)}
		case doc.Kind == "HostnameConfig" && doc.Hostname != "":
			b.Hostname = doc.Hostname
		}
	}
	if b.ClusterName == "" {
		return nil, fmt.Errorf("user-data holds no Talos v1alpha1 machine config")
	}
	if b.Hostname == "" {
		b.Hostname = vm.Name()
	}
	booted := talossim.Boot(talossim.Machine{Version: vm.Talos.Version, Installer: vm.Talos.Installer, Disks: blockDevices(vm)}, files["user-data"])
	b.TalosVersion, b.Installed, b.KernelArgs, b.Console, b.Failed = booted.Version, booted.Installed, booted.KernelArgs, booted.Console, booted.Err
	if cfg := booted.Config; cfg != nil {
		b.Loaded = cfg
		b.KubeletVersion = talossim.KubeletVersion(cfg)
		if n := cfg.K8sNodeConfig(); n != nil {
			b.Labels, b.Taints = n.Labels(), n.Taints()
		}
	}
	return b, nil
}

func unb64(s string) []byte {
	d, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil
	}
	return d
}

func (f *Fleet) onStart(vm *proxmoxsim.VM) {
	b, err := ParseBoot(vm)
	if err != nil {
		f.fail("VM %d (%s) cannot boot: %v", vm.ID, vm.Name(), err)
		return
	}
	f.mu.Lock()
	w := f.byName[b.ClusterName]
	if w == nil {
		w = &Workload{Name: b.ClusterName, Talos: talossim.NewClusterWithOptions(b.ClusterName, TalosOptions), boots: map[int]*Boot{}}
		f.byName[b.ClusterName] = w
	}
	w.boots[vm.ID] = b
	if b.Failed != nil {
		f.mu.Unlock()
		return
	}
	if b.ControlPlane && w.Talos.OnBootstrap == nil {
		// The API server comes up after etcd is bootstrapped, at the endpoint, with the cluster CA.
		boot := b
		w.Talos.OnBootstrap = func() { f.startAPIServer(w, boot) }
	}
	f.mu.Unlock()
	if b.ControlPlane {
		if err := w.Talos.StartNode(b.Address, b.Hostname, b.TalosVersion, b.TalosCA.Cert, b.TalosCA.Key); err != nil {
			f.fail("VM %d: %v", vm.ID, err)
		}
	}
}

func (f *Fleet) startAPIServer(w *Workload, b *Boot) {
	u, err := url.Parse(b.Endpoint)
	if err != nil {
		f.fail("cluster %s: endpoint %q: %v", w.Name, b.Endpoint, err)
		return
	}
	env, cfg, err := StartWorkloadAPIServer(f.mgmt.Bins["kube"], u.Hostname(), u.Port(), b.K8sCA)
	var c client.Client
	if err == nil {
		c, err = client.New(cfg, client.Options{Scheme: Scheme})
	}
	f.mu.Lock()
	w.Env, w.Client, w.Err = env, c, err
	f.mu.Unlock()
	if err != nil {
		f.fail("cluster %s: %v", w.Name, err)
	}
}

func (f *Fleet) onDelete(vm *proxmoxsim.VM) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, w := range f.byName {
		if b := w.boots[vm.ID]; b != nil {
			delete(w.boots, vm.ID)
			if b.ControlPlane {
				go w.Talos.StopNode(b.Address)
			}
		}
	}
}

// kubelets registers a Ready Node for every running VM of a cluster whose API server runs.
func (f *Fleet) kubelets() {
	defer f.wg.Done()
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-t.C:
		}
		f.mu.Lock()
		type job struct {
			c client.Client
			b Boot
		}
		var jobs []job
		for _, w := range f.byName {
			if w.Client == nil {
				continue
			}
			for _, b := range w.boots {
				if b.Failed == nil {
					jobs = append(jobs, job{w.Client, *b})
				}
			}
		}
		f.mu.Unlock()
		for _, j := range jobs {
			if err := registerNode(j.c, &j.b); err != nil {
				f.fail("registering Node %s: %v", j.b.Hostname, err)
			}
		}
	}
}

// kubeletConditions are the Node conditions a healthy kubelet reports.
var kubeletConditions = []corev1.NodeCondition{
	{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady"},
	{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory"},
	{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure"},
	{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID"},
}

func registerNode(c client.Client, b *Boot) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	node := &corev1.Node{}
	err := c.Get(ctx, client.ObjectKey{Name: b.Hostname}, node)
	if err == nil && node.Spec.ProviderID != "proxmox://"+b.UUID {
		// A Node of the same name from an older VM (CAPI deletes it after the VM): wait.
		return nil
	}
	if apierrors.IsNotFound(err) {
		labels := map[string]string{"kubernetes.io/hostname": b.Hostname}
		for k, v := range b.Labels {
			labels[k] = v
		}
		if b.ControlPlane {
			labels["node-role.kubernetes.io/control-plane"] = ""
		}
		node = &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: b.Hostname, Labels: labels},
			Spec: corev1.NodeSpec{ProviderID: "proxmox://" + b.UUID}}
		// Talos's node taints map a key to "value:effect", or to the effect alone (as the control-plane
		// taint it adds: node-role.kubernetes.io/control-plane: NoSchedule).
		for k, v := range b.Taints {
			val, effect, ok := strings.Cut(v, ":")
			if !ok {
				val, effect = "", v
			}
			node.Spec.Taints = append(node.Spec.Taints, corev1.Taint{Key: k, Value: val, Effect: corev1.TaintEffect(effect)})
		}
		if err := c.Create(ctx, node); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if len(node.Status.Conditions) == len(kubeletConditions) && node.Status.NodeInfo.KubeletVersion == b.KubeletVersion {
		return nil
	}
	// A kubelet reports Ready and the three pressure conditions. CAPI core (v1.11+, v1beta2
	// conditions) summarises exactly these four into the Machine's NodeHealthy, and NodeHealthy into
	// Ready and Available (summarizeNodeConditions in the machine controller's status code): with
	// Ready alone, every Machine stays Ready: Unknown ("Node.MemoryPressure: Condition not yet
	// reported"), no new Machine becomes available, and a rollout with maxUnavailable 0 never
	// scales the old MachineSet down.
	now := metav1.Now()
	node.Status.Conditions = nil
	for _, c := range kubeletConditions {
		c.LastHeartbeatTime, c.LastTransitionTime, c.Message = now, now, "simulated kubelet"
		node.Status.Conditions = append(node.Status.Conditions, c)
	}
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: b.Address}, {Type: corev1.NodeHostName, Address: b.Hostname}}
	// What a kubelet reports of itself: the Kubernetes version of the kubelet image it runs (the config
	// it booted) and the OS image (Talos reports its version there).
	node.Status.NodeInfo = corev1.NodeSystemInfo{KubeletVersion: b.KubeletVersion, OSImage: "Talos (" + b.TalosVersion + ")",
		OperatingSystem: "linux", Architecture: "amd64", ContainerRuntimeVersion: "containerd://2.1.5", KernelVersion: "6.12.57-talos"}
	return c.Status().Update(ctx, node)
}

// Stop stops the kubelet loop, every Talos API server and workload API server.
func (f *Fleet) Stop() {
	close(f.stop)
	f.wg.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, w := range f.byName {
		w.stopAPIServer()
	}
}

// stopAPIServer stops the workload API server and removes its certificate directory.
func (w *Workload) stopAPIServer() {
	w.Talos.Stop()
	if w.Env != nil {
		_ = w.Env.Stop()
		_ = os.RemoveAll(w.Env.ControlPlane.APIServer.CertDir)
	}
}

// Forget stops and drops a workload cluster (after a scenario deleted it).
func (f *Fleet) Forget(name string) {
	f.mu.Lock()
	w := f.byName[name]
	delete(f.byName, name)
	f.mu.Unlock()
	if w != nil {
		w.stopAPIServer()
	}
}

package talossim

// What a simulated VM boots, and how a Talos node of a given version takes its machine config.
//
// A Talos node acquires its config from the nocloud platform (the user-data CAPMOX put on the ISO),
// loads it with the configuration loader and validates it in the platform's mode; if that fails, it
// publishes a config load error, stops booting and keeps no Talos API with the machine's certificates
// (siderolabs/talos v1.14 internal/app/machined/pkg/controllers/config/acquire.go: loadFromPlatform,
// configloader.NewFromBytes, ValidateAtRuntime; nocloud's mode is "cloud",
// internal/app/machined/pkg/runtime/v1alpha1/platform/nocloud). A node that is not installed yet (booted
// from the installer ISO) runs the install sequence when the config has machine.install: the installer
// image goes onto the install disk and the node reboots into that version
// (internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_sequencer.go, Install). A node booted from an
// installed disk image runs the image's version and never installs.
//
// The config is loaded and validated with Talos's own machinery (github.com/siderolabs/talos/pkg/machinery
// v1.14.1). Machinery v1.14.1 knows every document kind up to Talos 1.14; a node of an older version does
// not: its loader refuses a document of a kind its release does not register ("not registered"). That part
// is simulated from when each kind first appeared (documentIntroduced). Validation rules that changed
// between releases are those of v1.14.1 for every version (docs/e2e.md, Fidelity).

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/cosi-project/runtime/pkg/state"
	"github.com/cosi-project/runtime/pkg/state/impl/inmem"
	"github.com/cosi-project/runtime/pkg/state/impl/namespaced"
	"github.com/siderolabs/talos/pkg/machinery/config"
	cfgconfig "github.com/siderolabs/talos/pkg/machinery/config/config"
	"github.com/siderolabs/talos/pkg/machinery/config/configloader"
)

// documentIntroduced is the Talos minor (1.x) that first registers each multi-document config kind the
// renders here can contain or that a newer CABPT generates (the first siderolabs/talos release whose
// pkg/machinery/config/types registers the kind, read from the tags v1.5.0 to v1.14.0-rc.1). Kinds of
// 1.7 and older (the oldest Talos the generator supports) are not listed: every simulated version knows them.
var documentIntroduced = map[string]int{
	"KubeSpanEndpointsConfig": 8, "TrustedRootsConfig": 8, "VolumeConfig": 8,
	"EthernetConfig": 10, "PCIDriverRebindConfig": 10, "UserVolumeConfig": 10,
	"ExistingVolumeConfig": 11, "RawVolumeConfig": 11, "SwapVolumeConfig": 11, "ZswapConfig": 11,
	"BondConfig": 12, "BridgeConfig": 12, "DHCPv4Config": 12, "DHCPv6Config": 12, "DummyLinkConfig": 12, "HCloudVIPConfig": 12,
	"HostnameConfig": 12, "Layer2VIPConfig": 12, "LinkAliasConfig": 12, "LinkConfig": 12, "OOMConfig": 12,
	"RegistryAuthConfig": 12, "RegistryMirrorConfig": 12, "RegistryTLSConfig": 12, "ResolverConfig": 12,
	"StaticHostConfig": 12, "TimeSyncConfig": 12, "VLANConfig": 12, "WireguardConfig": 12,
	"BlackholeRouteConfig": 13, "EnvironmentConfig": 13, "ExternalVolumeConfig": 13, "ImageVerificationConfig": 13,
	"KubeSpanConfig": 13, "RoutingRuleConfig": 13, "TCPProbeConfig": 13, "VRFConfig": 13,
	"BGPInstanceConfig": 14, "CRIBaseRuntimeSpecConfig": 14, "CRICustomizationConfig": 14, "ContainerConfig": 14,
	"DiscoveryIdentityConfig": 14, "DiscoveryServiceConfig": 14, "EtcFileConfig": 14, "FilesystemScrubConfig": 14,
	"FilesystemTrimConfig": 14, "HTTPProbeConfig": 14, "ImageCacheConfig": 14, "KernelModuleConfig": 14,
	"KubeAPIServerCAConfig": 14, "KubeAPIServerConfig": 14, "KubeAdmissionControlConfig": 14, "KubeAggregatorCAConfig": 14,
	"KubeAuditPolicyConfig": 14, "KubeAuthenticationConfig": 14, "KubeAuthorizerConfig": 14, "KubeClusterConfig": 14,
	"KubeControllerManagerConfig": 14, "KubeCoreDNSConfig": 14, "KubeCredentialProviderConfig": 14,
	"KubeEtcdEncryptionConfig": 14, "KubeExternalManifestConfig": 14, "KubeFlannelCNIConfig": 14,
	"KubeInlineManifestConfig": 14, "KubeNetworkConfig": 14, "KubeNodeConfig": 14, "KubePrismConfig": 14,
	"KubeProxyConfig": 14, "KubeSchedulerConfig": 14, "KubeServiceAccountConfig": 14, "KubeStaticPodConfig": 14,
	"KubeTalosAPIAccessConfig": 14, "KubeletConfig": 14, "LVMLogicalVolumeConfig": 14, "LVMVolumeGroupConfig": 14,
	"RAIDArrayConfig": 14, "SecurityProfileConfig": 14, "SysctlConfig": 14, "SysfsConfig": 14, "UdevRulesConfig": 14,
	"UnattendedInstallConfig": 14, "VethConfig": 14,
}

// MachineryMinor is the newest Talos minor the machinery here knows; a newer node cannot be simulated.
const MachineryMinor = 14

var reVersion = regexp.MustCompile(`^v1\.(\d+)\.(\d+)`)

// Minor returns the minor of a Talos version (v1.12.0 -> 12).
func Minor(version string) (int, error) {
	m := reVersion.FindStringSubmatch(version)
	if m == nil {
		return 0, fmt.Errorf("%q is not a Talos version", version)
	}
	return strconv.Atoi(m[1])
}

// cloudMode is the validation mode of the nocloud platform (runtime.ModeCloud): no install is required.
type cloudMode struct{}

func (cloudMode) String() string        { return "cloud" }
func (cloudMode) RequiresInstall() bool { return false }
func (cloudMode) InContainer() bool     { return false }

// LoadConfig loads and validates a machine config as a Talos node of that version does when it acquires
// it from the nocloud platform. The error is what the node reports.
func LoadConfig(version string, data []byte) (config.Provider, error) {
	minor, err := Minor(version)
	if err != nil {
		return nil, err
	}
	if minor > MachineryMinor {
		return nil, fmt.Errorf("Talos %s is newer than the machinery the simulator validates with (v1.%d)", version, MachineryMinor)
	}
	cfg, err := configloader.NewFromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("failed to load config via platform nocloud: %w", err)
	}
	for _, doc := range cfg.Documents() {
		if since, ok := documentIntroduced[doc.Kind()]; ok && since > minor {
			name := ""
			if nd, ok := doc.(cfgconfig.NamedDocument); ok {
				name = nd.Name()
			}
			return nil, fmt.Errorf("failed to load config via platform nocloud: decode error: error decoding document %s/%s/%s: %q %q: not registered",
				doc.APIVersion(), doc.Kind(), name, doc.Kind(), doc.APIVersion())
		}
	}
	st := state.WrapCore(namespaced.NewState(inmem.Build))
	if _, err := cfg.ValidateAtRuntime(context.Background(), st, cloudMode{}); err != nil {
		return nil, fmt.Errorf("failed to validate config acquired via platform nocloud: %w", err)
	}
	return cfg, nil
}

// Machine is what a VM offers Talos when it starts.
type Machine struct {
	Version   string   // the Talos version on its boot medium
	Installer bool     // the boot medium is the installer ISO (else an installed disk image)
	Disks     []string // block devices, e.g. /dev/vda
}

// Booted is what a node runs after it started, or why it did not get there.
type Booted struct {
	Version    string          // the Talos version it runs
	Installed  string          // the installer image it installed ("" when it booted an installed image)
	KernelArgs []string        // extra kernel arguments in effect (they apply only when Talos installs)
	Config     config.Provider // the loaded machine config
	Console    []string        // what the node printed, in order
	Err        error           // the boot failed: the node has no Talos API and no kubelet
}

// Boot simulates a Talos node starting on a machine with the user-data as its config.
func Boot(m Machine, userData []byte) Booted {
	b := Booted{Version: m.Version}
	say := func(format string, args ...any) { b.Console = append(b.Console, fmt.Sprintf(format, args...)) }
	failed := func(err error) Booted {
		b.Err = err
		say("%v", err)
		return b
	}
	say("Talos %s booting from its %s", m.Version, map[bool]string{true: "installer ISO", false: "disk image"}[m.Installer])
	cfg, err := LoadConfig(m.Version, userData)
	if err != nil {
		return failed(fmt.Errorf("Error loading and validating Talos machine config: %w", err))
	}
	b.Config = cfg
	install := cfg.Machine().Install()
	if !m.Installer {
		if install != nil && install.Image() != "" {
			say("Talos is installed: machine.install (image %s) is not applied; it is used by the next upgrade", install.Image())
		}
		return b
	}
	if install == nil || install.Image() == "" {
		return failed(fmt.Errorf("install: the config has no machine.install.image; the node stays on the installer ISO"))
	}
	disk := install.Disk()
	if disk == "" || !contains(m.Disks, disk) {
		sort.Strings(m.Disks)
		return failed(fmt.Errorf("install: install disk %q not found (the machine has %s)", disk, strings.Join(m.Disks, ", ")))
	}
	image := install.Image()
	tag := image[strings.LastIndex(image, ":")+1:]
	if _, err := Minor(tag); err != nil {
		return failed(fmt.Errorf("install: installer image %s has no Talos version tag", image))
	}
	say("installing %s to %s, then rebooting", image, disk)
	b.Installed, b.KernelArgs = image, install.ExtraKernelArgs()
	b.Version = tag
	// The installed system loads its config again (from the STATE partition) as the new version.
	if cfg, err = LoadConfig(tag, userData); err != nil {
		return failed(fmt.Errorf("after install, Talos %s: Error loading and validating Talos machine config: %w", tag, err))
	}
	b.Config = cfg
	say("Talos %s running", b.Version)
	return b
}

// KubeletVersion is the Kubernetes version the node's kubelet runs: the tag of its kubelet image.
func KubeletVersion(cfg config.Provider) string {
	if cfg == nil || cfg.K8sKubeletConfig() == nil {
		return ""
	}
	image := cfg.K8sKubeletConfig().Image()
	return image[strings.LastIndex(image, ":")+1:]
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

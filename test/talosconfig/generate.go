package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/siderolabs/go-pointer"
	"github.com/siderolabs/talos/pkg/machinery/config"
	"github.com/siderolabs/talos/pkg/machinery/config/configpatcher"
	"github.com/siderolabs/talos/pkg/machinery/config/container"
	"github.com/siderolabs/talos/pkg/machinery/config/encoder"
	"github.com/siderolabs/talos/pkg/machinery/config/generate"
	"github.com/siderolabs/talos/pkg/machinery/config/generate/secrets"
	"github.com/siderolabs/talos/pkg/machinery/config/machine"
	"github.com/siderolabs/talos/pkg/machinery/config/types/k8s"
	"github.com/siderolabs/talos/pkg/machinery/config/types/meta"
	"github.com/siderolabs/talos/pkg/machinery/config/types/network"
	"github.com/siderolabs/talos/pkg/machinery/config/types/v1alpha1"
	"github.com/siderolabs/talos/pkg/machinery/config/validation"
	"github.com/siderolabs/talos/pkg/machinery/nethelpers"
	"github.com/siderolabs/talos/pkg/machinery/version"
	yaml "go.yaml.in/yaml/v4"
)

// result is the oracle's answer: one entry per Talos config found, in input order.
type result struct {
	// Machinery is the Talos machinery release that generated and validated the configs.
	Machinery string      `json:"machinery"`
	Configs   []configOut `json:"configs"`
}

type configOut struct {
	// Input: which input (ResourceList, or the plain objects first) the config came from, from 0.
	Input             int    `json:"input"`
	Kind              string `json:"kind"` // TalosControlPlane or TalosConfigTemplate
	Namespace         string `json:"namespace"`
	Name              string `json:"name"`
	Cluster           string `json:"cluster"`
	TalosVersion      string `json:"talosVersion"`
	MachineType       string `json:"machineType"`
	KubernetesVersion string `json:"kubernetesVersion"`
	// Errors: anything that stopped generation or patching, and every validation error (one per entry).
	Errors   []string `json:"errors"`
	Warnings []string `json:"warnings"`
	// Documents: the final machine config, every document, as CABPT would write it into the bootstrap secret.
	Documents []any `json:"documents"`
}

// runtimeMode is the mode Talos runs in on Proxmox: the nocloud platform is a cloud-mode platform
// (siderolabs/talos internal/app/machined/pkg/runtime/v1alpha1/platform/nocloud: Mode() is ModeCloud;
// ModeCloud neither requires an install nor runs in a container).
type runtimeMode struct{}

func (runtimeMode) String() string        { return "cloud" }
func (runtimeMode) RequiresInstall() bool { return false }
func (runtimeMode) InContainer() bool     { return false }

const machineryVersion = "v1.14.1"

func run(inputs [][]obj) result {
	out := result{Machinery: machineryVersion, Configs: []configOut{}}

	for i, objs := range inputs {
		idx := index(objs)

		for _, o := range objs {
			var c configOut

			switch str(o, "kind") {
			case "TalosControlPlane":
				c = idx.controlPlane(o)
			case "TalosConfigTemplate":
				c = idx.configTemplate(o)
			default:
				continue
			}

			c.Input = i
			out.Configs = append(out.Configs, c)
		}
	}

	return out
}

type objIndex struct {
	clusters        map[string]obj // ns/name
	proxmoxClusters map[string]obj // ns/name
	deployments     map[string]obj // ns/<TalosConfigTemplate name> -> the MachineDeployment using it
}

func index(objs []obj) objIndex {
	idx := objIndex{clusters: map[string]obj{}, proxmoxClusters: map[string]obj{}, deployments: map[string]obj{}}

	for _, o := range objs {
		switch str(o, "kind") {
		case "Cluster":
			idx.clusters[key(namespace(o), name(o))] = o
		case "ProxmoxCluster":
			idx.proxmoxClusters[key(namespace(o), name(o))] = o
		case "MachineDeployment":
			if ref := str(o, "spec", "template", "spec", "bootstrap", "configRef", "name"); ref != "" {
				idx.deployments[key(namespace(o), ref)] = o
			}
		}
	}

	return idx
}

// owner is what CABPT reads from the Machine that owns a TalosConfig and from its Cluster.
type owner struct {
	clusterName string
	endpoint    string // https://host:port, from the infrastructure cluster (CAPI copies it to the Cluster)
	k8sVersion  string // without the leading v
	pods        []string
	services    []string
	dnsDomain   string
	// The hostnames CABPT gives the node: the Machine's name (hostname source MachineName) or its
	// infrastructure machine's name (InfrastructureName). Stand-ins: CAPI names both at runtime.
	machineName, infraName string
}

func (idx objIndex) ownerOf(o obj, version string, infraTemplate string) (owner, error) {
	cl := clusterOf(o)
	if cl == "" {
		return owner{}, errors.New("no cluster.x-k8s.io/cluster-name label")
	}

	c, ok := idx.clusters[key(namespace(o), cl)]
	if !ok {
		return owner{}, fmt.Errorf("Cluster %s/%s is not in the input", namespace(o), cl)
	}

	pc, ok := idx.proxmoxClusters[key(namespace(o), str(c, "spec", "infrastructureRef", "name"))]
	if !ok {
		return owner{}, fmt.Errorf("the ProxmoxCluster of Cluster %s/%s is not in the input", namespace(o), cl)
	}

	host := str(pc, "spec", "controlPlaneEndpoint", "host")
	port := 6443

	if p, ok := at(pc, "spec", "controlPlaneEndpoint", "port").(int); ok {
		port = p
	}

	if host == "" {
		return owner{}, errors.New("the ProxmoxCluster has no controlPlaneEndpoint.host")
	}

	if version == "" {
		return owner{}, errors.New("no Kubernetes version")
	}

	dns := str(c, "spec", "clusterNetwork", "serviceDomain")
	if dns == "" {
		dns = "cluster.local" // constants.DefaultDNSDomain, what CABPT uses without a serviceDomain
	}

	return owner{
		clusterName: cl,
		endpoint:    "https://" + net.JoinHostPort(host, strconv.Itoa(port)),
		k8sVersion:  strings.TrimPrefix(version, "v"),
		pods:        strings_(c, "spec", "clusterNetwork", "pods", "cidrBlocks"),
		services:    strings_(c, "spec", "clusterNetwork", "services", "cidrBlocks"),
		dnsDomain:   dns,
		machineName: name(o) + "-7d9f8-x2k4q",
		infraName:   infraTemplate + "-x2k4q",
	}, nil
}

func (idx objIndex) controlPlane(o obj) configOut {
	spec, _ := at(o, "spec", "controlPlaneConfig", "controlplane").(obj)
	out := newOut(o, spec)
	out.KubernetesVersion = str(o, "spec", "version")

	ow, err := idx.ownerOf(o, out.KubernetesVersion, str(o, "spec", "infrastructureTemplate", "name"))
	if err != nil {
		out.Errors = append(out.Errors, err.Error())

		return out
	}

	generateConfig(&out, spec, ow)

	return out
}

func (idx objIndex) configTemplate(o obj) configOut {
	spec, _ := at(o, "spec", "template", "spec").(obj)
	out := newOut(o, spec)

	md, ok := idx.deployments[key(namespace(o), name(o))]
	if !ok {
		out.Errors = append(out.Errors, "no MachineDeployment in the input uses this TalosConfigTemplate")

		return out
	}

	out.KubernetesVersion = str(md, "spec", "template", "spec", "version")

	ow, err := idx.ownerOf(o, out.KubernetesVersion, str(md, "spec", "template", "spec", "infrastructureRef", "name"))
	if err != nil {
		out.Errors = append(out.Errors, err.Error())

		return out
	}

	ow.machineName = name(md) + "-7d9f8-x2k4q"

	generateConfig(&out, spec, ow)

	return out
}

func newOut(o obj, spec obj) configOut {
	return configOut{
		Kind:         str(o, "kind"),
		Namespace:    namespace(o),
		Name:         name(o),
		Cluster:      clusterOf(o),
		TalosVersion: str(spec, "talosVersion"),
		MachineType:  str(spec, "generateType"),
		Errors:       []string{},
		Warnings:     []string{},
		Documents:    []any{},
	}
}

// bundles: one secrets bundle per contract for the whole run (generating one costs an RSA key);
// secrets take no part in what is checked here.
var bundles = map[string]*secrets.Bundle{}

func bundleFor(contract *config.VersionContract) (*secrets.Bundle, error) {
	if b, ok := bundles[contract.String()]; ok {
		return b, nil
	}

	b, err := secrets.NewBundle(secrets.NewFixedClock(time.Now()), contract)
	if err != nil {
		return nil, err
	}

	bundles[contract.String()] = b

	return b, nil
}

// generateConfig does what CABPT v0.6.12 does for a TalosConfig with generateType controlplane/worker
// (genConfigs, then the strategic patches of reconcileGenerate), then validates the result.
func generateConfig(out *configOut, spec obj, ow owner) {
	fail := func(format string, args ...any) { out.Errors = append(out.Errors, fmt.Sprintf(format, args...)) }

	machineType, err := machine.ParseType(out.MachineType)
	if err != nil || machineType == machine.TypeUnknown {
		fail("generateType %q is not a machine type", out.MachineType)

		return
	}

	if out.TalosVersion == "" {
		// CABPT then uses its machinery's current contract; this oracle asks the spec to be explicit.
		fail("no talosVersion")

		return
	}

	contract, err := config.ParseContractFromVersion(out.TalosVersion)
	if err != nil {
		fail("invalid talosVersion: %v", err)

		return
	}

	bundle, err := bundleFor(contract)
	if err != nil {
		fail("secrets: %v", err)

		return
	}

	input, err := generate.NewInput(ow.clusterName, ow.endpoint, ow.k8sVersion,
		generate.WithDNSDomain(ow.dnsDomain),
		generate.WithVersionContract(contract),
		generate.WithSecretsBundle(bundle),
	)
	if err != nil {
		fail("generate.NewInput: %v", err)

		return
	}

	data, err := input.Config(machineType)
	if err != nil {
		fail("generate: %v", err)

		return
	}

	cfg, ok := data.(*container.Container)
	if !ok {
		fail("generate returned %T", data)

		return
	}

	if err := setClusterNetwork(cfg, ow); err != nil {
		fail("cluster network: %v", err)

		return
	}

	// The hostname: CABPT v0.6.12 makes sure machine.network exists, then for talosVersion ≥ 1.12.0-beta.0
	// appends a HostnameConfig document as one more strategic patch (after the user's), below that sets
	// machine.network.hostname.
	var extraPatches []string

	if source := str(spec, "hostname", "source"); source != "" {
		v1 := cfg.RawV1Alpha1()
		if v1.MachineConfig.MachineNetwork == nil {
			v1.MachineConfig.MachineNetwork = &v1alpha1.NetworkConfig{}
		}

		hostname := ow.machineName
		if source == "InfrastructureName" {
			hostname = ow.infraName
		}

		if atLeast112(out.TalosVersion) {
			doc, err := hostnameConfig(hostname)
			if err != nil {
				fail("hostname config: %v", err)

				return
			}

			extraPatches = append(extraPatches, doc)
		} else {
			v1.MachineConfig.MachineNetwork.NetworkHostname = hostname //nolint:staticcheck // what CABPT sets before 1.12
		}
	}

	base, err := cfg.EncodeString(encoder.WithComments(encoder.CommentsDisabled))
	if err != nil {
		fail("encode: %v", err)

		return
	}

	var patches []configpatcher.Patch

	for i, p := range append(stringsOf(spec["strategicPatches"]), extraPatches...) {
		patch, err := configpatcher.LoadPatch([]byte(p))
		if err != nil {
			fail("strategicPatches[%d]: failure loading StrategicPatch: %v", i, err)

			return
		}

		patches = append(patches, patch)
	}

	final := config.Provider(cfg)

	if len(patches) > 0 {
		patched, err := configpatcher.Apply(configpatcher.WithBytes([]byte(base)), patches)
		if err != nil {
			fail("failure applying StrategicPatches: %v", err)

			return
		}

		final, err = patched.Config()
		if err != nil {
			fail("failure converting result to config: %v", err)

			return
		}
	}

	// Validate as a node of that Talos minor would: Talos checks the config's Kubernetes images against
	// its own version's supported range (compatibility.ValidateKubernetesImageTag reads version.Tag).
	version.Tag = fmt.Sprintf("v%d.%d.0", contract.Major, contract.Minor)

	warnings, err := final.Validate(runtimeMode{}, validation.WithStrict())
	out.Warnings = append(out.Warnings, warnings...)

	for _, e := range flatten(err) {
		fail("%s", e)
	}

	text, err := final.EncodeString(encoder.WithComments(encoder.CommentsDisabled))
	if err != nil {
		fail("encode: %v", err)

		return
	}

	docs, err := decodeAll(text)
	if err != nil {
		fail("decode: %v", err)

		return
	}

	out.Documents = docs
}

// setClusterNetwork puts the Cluster's pod and service networks into the generated config, as CABPT
// does: into cluster.network of the v1alpha1 config (v0.6.12, every contract up to 1.13). The v1.14
// contract has no cluster.network there (machinery v1.14.1 generate/init.go leaves ClusterNetwork nil and
// writes a KubeNetworkConfig document instead); CABPT v0.6.12 cannot generate that contract at all, and
// v0.6.13 (which can) is not on the Go module proxy, so this stands in for it the one way the contract
// allows: the KubeNetworkConfig document's podSubnets and serviceSubnets.
func setClusterNetwork(cfg *container.Container, ow owner) error {
	v1 := cfg.RawV1Alpha1()
	if v1 != nil && v1.ClusterConfig != nil && v1.ClusterConfig.ClusterNetwork != nil {
		if len(ow.pods) > 0 {
			v1.ClusterConfig.ClusterNetwork.PodSubnet = ow.pods
		}

		if len(ow.services) > 0 {
			v1.ClusterConfig.ClusterNetwork.ServiceSubnet = ow.services
		}

		return nil
	}

	for _, doc := range cfg.Documents() {
		nc, ok := doc.(*k8s.KubeNetworkConfigV1Alpha1)
		if !ok {
			continue
		}

		prefixes := func(cidrs []string) ([]meta.Prefix, error) {
			out := make([]meta.Prefix, 0, len(cidrs))

			for _, c := range cidrs {
				p, err := netip.ParsePrefix(c)
				if err != nil {
					return nil, err
				}

				out = append(out, meta.Prefix{Prefix: p})
			}

			return out, nil
		}

		var err error

		if len(ow.pods) > 0 {
			if nc.NetworkPodSubnets, err = prefixes(ow.pods); err != nil {
				return err
			}
		}

		if len(ow.services) > 0 {
			if nc.NetworkServiceSubnets, err = prefixes(ow.services); err != nil {
				return err
			}
		}
	}

	return nil
}

// atLeast112: CABPT v0.6.12 compares talosVersion (semver, "v" trimmed) with 1.12.0-beta.0; a vX.Y
// talosVersion reads as X.Y.0.
func atLeast112(v string) bool {
	parts := strings.SplitN(strings.TrimLeft(v, "v"), ".", 3)
	if len(parts) < 2 {
		return false
	}

	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])

	if err1 != nil || err2 != nil {
		return false
	}

	return major > 1 || (major == 1 && minor >= 12)
}

// hostnameConfig is the HostnameConfig document CABPT appends: a fixed hostname, automatic hostnames off.
func hostnameConfig(hostname string) (string, error) {
	h := network.NewHostnameConfigV1Alpha1()
	h.ConfigAuto = pointer.To(nethelpers.AutoHostnameKindOff)
	h.ConfigHostname = hostname

	var buf bytes.Buffer

	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(h); err != nil {
		return "", err
	}

	return buf.String(), enc.Close()
}

func stringsOf(v any) []string {
	list, _ := v.([]any)

	out := make([]string, 0, len(list))

	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}

	return out
}

// flatten splits a validation error into its single errors (Talos returns them as a multierror).
func flatten(err error) []string {
	if err == nil {
		return nil
	}

	if m, ok := err.(interface{ WrappedErrors() []error }); ok {
		var out []string
		for _, e := range m.WrappedErrors() {
			out = append(out, flatten(e)...)
		}

		return out
	}

	if m, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range m.Unwrap() {
			out = append(out, flatten(e)...)
		}

		return out
	}

	// "v1alpha1.Config: 2 errors occurred: ..." wraps a multierror in a prefix: keep the prefix on each.
	if inner := errors.Unwrap(err); inner != nil {
		_, multi := inner.(interface{ WrappedErrors() []error })
		parts := flatten(inner)
		if multi || len(parts) > 1 {
			prefix := strings.TrimSuffix(err.Error(), inner.Error())
			for i := range parts {
				parts[i] = prefix + parts[i]
			}

			return parts
		}
	}

	return []string{err.Error()}
}

func decodeAll(text string) ([]any, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))

	var docs []any

	for {
		var d any
		if err := dec.Decode(&d); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}

			return nil, err
		}

		docs = append(docs, d)
	}

	return docs, nil
}

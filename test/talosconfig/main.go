// Command talosconfig is the test suite's Talos oracle: it takes rendered Cluster API objects and, for every
// Talos config they carry (a TalosControlPlane's controlPlaneConfig.controlplane, a TalosConfigTemplate),
// builds the machine config the way the Talos bootstrap provider (CABPT) does for that config's
// talosVersion contract, with Talos machinery v1.14.1, then validates it as a Talos node would.
//
// Input (stdin): a YAML stream of objects and/or ResourceLists. Each ResourceList is read on its own (its
// items are one render), the plain objects of the stream together are one more; several clusters may be
// in one render (each config belongs to the Cluster named by its cluster.x-k8s.io/cluster-name label). Output (stdout): one JSON object, see result below. Exit 0 when
// the input was read (per-config failures are reported in the JSON), 2 when it could not be.
//
// The generation path mirrors siderolabs/cluster-api-bootstrap-provider-talos v0.6.12
// controllers/talosconfig_controller.go (genConfigs and reconcileGenerate); see generate.go.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}

	inputs, err := readInputs(in)
	if err != nil {
		fail(err)
	}

	out := run(inputs)

	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)

	if err := enc.Encode(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "talosconfig: %v\n", err)
	os.Exit(2)
}

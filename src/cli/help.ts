/** What `--help` and `kpt fn doc` show. */
export const HELP = `capi-proxmox-talos — one ClusterSpec in, every Cluster API object for a Talos
Kubernetes cluster on Proxmox VMs out.

Usage:
  capi-proxmox-talos                     KRM function: read a ResourceList on stdin, write one on stdout
  capi-proxmox-talos render FILE         print the cluster's manifests (FILE: a ClusterSpec or a
                                         ResourceList holding one; - for stdin)
  capi-proxmox-talos diff OLD NEW        explain what changing spec OLD into NEW does to a live cluster
  capi-proxmox-talos import-helm-values [--chart-version VERSION] VALUES
                                         turn a cluster-chart release's values into a ClusterSpec
  capi-proxmox-talos schema              print the ClusterSpec JSON Schema
  capi-proxmox-talos help [COMMAND]      this text, or a command's (also: COMMAND --help)
  capi-proxmox-talos --help | --version

As a KRM function (kpt fn eval/render, kustomize generators:) the functionConfig is:

  apiVersion: capi-proxmox-talos.dev/v1alpha1
  kind: ClusterSpec
  metadata:
    name: cluster09
  spec:
    controlPlane:
      replicas: 3
    workers:
      - name: worker
        replicas: 2

An empty spec: {} renders the default cluster (the cluster-chart's up to 0.1.5). Every field, its default and the
chart value it replaces: see the README and functionconfig.yaml.

Output: Namespace, Cluster, ProxmoxCluster, TalosControlPlane, ProxmoxMachineTemplates,
MachineDeployments, TalosConfigTemplates (and MachineHealthChecks when asked), appended after the
input items, which pass through untouched. Objects generated earlier from the same ClusterSpec are
replaced. Problems are reported as results (and on stderr) with a non-zero exit.

Examples:
  kpt fn eval . --exec capi-proxmox-talos --fn-config cluster.yaml
  kustomize build --enable-alpha-plugins --enable-exec .   # with the ClusterSpec under generators:
`;

/** Each command's own help: `capi-proxmox-talos COMMAND --help` and `capi-proxmox-talos help COMMAND`. */
export const COMMAND_HELP: Record<string, string> = {
  render: `Usage: capi-proxmox-talos render FILE

Prints every object of the cluster as a multi-document YAML stream on stdout, without KRM annotations.
FILE is a ClusterSpec, or a ResourceList holding one as its functionConfig; - reads standard input.
Problems are printed on stderr, one line each with the field path, and the exit code is 1; on success
a summary line ([info]) goes to stderr.

Example:
  capi-proxmox-talos render functionconfig.yaml > cluster09.yaml
`,
  diff: `Usage: capi-proxmox-talos diff OLD NEW

Explains what changing OLD into NEW does to a live cluster: which objects change, which machines roll
(and how: surge, free IPs needed), what only scales. OLD and NEW are each a ClusterSpec, a ResourceList
holding one, or rendered manifests; - reads standard input (for one of them). Talos upgrades that skip
a minor version are an error. Exit code 0, or 1 when either side has errors.

Example:
  git show HEAD:clusters/lab/cluster.yaml > old.yaml && capi-proxmox-talos diff old.yaml clusters/lab/cluster.yaml
`,
  'import-helm-values': `Usage: capi-proxmox-talos import-helm-values [--chart-version VERSION] VALUES

Turns the values of a cluster-chart release into a ClusterSpec (printed on stdout) that renders the
cluster that chart release rendered, with profile: legacy (the API versions the chart emitted) and the
chart's object names kept (adoptedFrom: cluster-chart). Every value is written out: a key the values file
leaves out gets that chart release's default. Which release, what was corrected and what was left out go
to stderr.

VALUES is best the release's computed values: helm get values RELEASE -n NAMESPACE --all -o yaml.
--chart-version is the chart version the cluster runs (the CHART column of \`helm list -A\`, without
"cluster-chart-"); without it the keys of VALUES tell it, and when they fit releases that render them
differently the import stops and asks for it. Keys no chart release has, a ClusterSpec or another object
given by mistake, and values the chart could not have rendered are errors (exit 1, nothing on stdout).
Supported chart releases: 0.1.4 to 0.1.33 (not 0.1.21, 0.1.28) and 0.1.37 to 0.1.39.

Example:
  capi-proxmox-talos import-helm-values --chart-version 0.1.19 values.yaml > cluster.yaml
  helm get values lab -n flux-system --all -o yaml | capi-proxmox-talos import-helm-values --chart-version 0.1.39 - > cluster.yaml
`,
  schema: `Usage: capi-proxmox-talos schema

Prints the ClusterSpec JSON Schema (the same as schema/clusterspec.schema.json in the repository), for
editors: save it and point a \`# yaml-language-server: $schema=...\` line at the file.

Example:
  capi-proxmox-talos schema > clusterspec.schema.json
`,
  help: `Usage: capi-proxmox-talos help [COMMAND]

Prints the overview, or the help of COMMAND (render, diff, import-helm-values, schema).
`,
};

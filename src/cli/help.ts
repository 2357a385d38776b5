/** What `--help` and `kpt fn doc` show. */
export const HELP = `capi-proxmox-talos — one ClusterSpec in, every Cluster API object for a Talos
Kubernetes cluster on Proxmox VMs out.

Usage:
  capi-proxmox-talos                     KRM function: read a ResourceList on stdin, write one on stdout
  capi-proxmox-talos render FILE|DIR     print the cluster's manifests (FILE: a ClusterSpec or a
                                         ResourceList holding one; - for stdin; DIR: a cluster folder;
                                         --out OUTFILE: into a file, whole or not at all)
  capi-proxmox-talos diff OLD NEW        the plan: what applying NEW over OLD does to the live clusters
                                         (files or folders; --output json; --gate for CI)
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
    network: {ipRanges: [192.168.4.101-192.168.4.120], prefix: 24, gateway: 192.168.4.1, dnsServers: [192.168.1.201]}
    controlPlane: {endpointIP: 192.168.4.100, replicas: 3}
    proxmox: {allowedNodes: [venus], template: {sourceNode: venus, templateID: 100}}
    workers:
      - name: worker
        replicas: 2

Where the cluster lives (the network, the API endpoint, the Proxmox nodes and VM template) has no default;
everything else has one. Every field, its default and the chart value it replaces: docs/reference.md and
functionconfig.yaml.

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
  render: `Usage: capi-proxmox-talos render [--out OUTFILE] FILE|DIR

Prints every object of the cluster as a multi-document YAML stream on stdout, without KRM annotations;
with --out, writes it into OUTFILE instead, whole or not at all: when the render fails OUTFILE is left as
it was (a shell's > OUTFILE would leave it empty).
FILE is a ClusterSpec, or a ResourceList holding one as its functionConfig; - reads standard input.
DIR is a cluster folder whose kustomization.yaml lists only ClusterSpec files under generators: (as
examples/flux/clusters/<name>/ does): rendered without kustomize, the same objects kustomize builds.
Problems are printed on stderr, one line each with the field path, and the exit code is 1; on success
a summary line ([info]) goes to stderr. Exit code 3: DIR needs kustomize (its kustomization has more
than ClusterSpec generators: resources, patches, other generators); nothing is printed on stdout.

Example:
  capi-proxmox-talos render functionconfig.yaml
  capi-proxmox-talos render --out rendered/lab.yaml clusters/lab/cluster.yaml
`,
  diff: `Usage: capi-proxmox-talos diff [--output text|json] [--gate [--allow CLUSTER]...] OLD NEW

The plan: what applying NEW over OLD does to the live clusters. OLD is what was applied (the previous
render; an empty folder for a first render), NEW what is to be applied. Each is a file or a folder
(every .yaml/.yml file under it), holding ClusterSpecs (rendered here), a ResourceList holding one, or
rendered manifests, any number of clusters; - reads standard input (for one of them).

Per cluster (CAPI Cluster namespace/name): create, update, unchanged or delete; objects created, updated
in place, pruned (Flux prune: true deletes them) or kept (prune: disabled); machines rolled (how many at a
time, free IPs needed), scaled, and what each pruned object destroys. A rename or namespace move is a
delete and a create. Flagged: fields CAPI copies once or clients hold (the API endpoint, the cluster
network). Errors: Kubernetes or Talos upgrades that skip a minor or go back; clusters that collide (same
endpoint, overlapping addresses or VM ID ranges); an object rendered twice.

  --output json   print the Plan as JSON (schema: docs/plan.md) instead of words
  --gate          judge the plan as the Flux gate does: refuse deleting a cluster, moving it, destroying
                  machines of a cluster that stays, or changing a flagged field
  --allow CLUSTER let the gate do that to CLUSTER (NAME or NAMESPACE/NAME; repeatable, or comma-separated)

Exit code: 0 the plan is fine (warnings may be printed); 1 errors, or the gate refuses; 2 usage.

Example:
  git show HEAD:clusters/lab/cluster.yaml > old.yaml && capi-proxmox-talos diff old.yaml clusters/lab/cluster.yaml
  capi-proxmox-talos diff --gate --output json base-render/ rendered/
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

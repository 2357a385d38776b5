/** What `--help` and `kpt fn doc` show. */
export const HELP = `capi-proxmox-talos — one ClusterSpec in, every Cluster API object for a Talos
Kubernetes cluster on Proxmox VMs out.

Usage:
  capi-proxmox-talos                     KRM function: read a ResourceList on stdin, write one on stdout
  capi-proxmox-talos render FILE|DIR     print the cluster's manifests (FILE: a ClusterSpec or a
                                         ResourceList holding one; - for stdin; DIR: a cluster folder)
  capi-proxmox-talos diff OLD NEW        the plan: what applying NEW over OLD does to the live clusters
                                         (files or folders; --output json; --gate for CI)
  capi-proxmox-talos import-helm-values VALUES
                                         turn a cluster-chart values.yaml into a ClusterSpec
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
  render: `Usage: capi-proxmox-talos render FILE|DIR

Prints every object of the cluster as a multi-document YAML stream on stdout, without KRM annotations.
FILE is a ClusterSpec, or a ResourceList holding one as its functionConfig; - reads standard input.
DIR is a cluster folder whose kustomization.yaml lists only ClusterSpec files under generators: (as
examples/flux/clusters/<name>/ does): rendered without kustomize, the same objects kustomize builds.
Problems are printed on stderr, one line each with the field path, and the exit code is 1; on success
a summary line ([info]) goes to stderr. Exit code 3: DIR needs kustomize (its kustomization has more
than ClusterSpec generators: resources, patches, other generators); nothing is printed on stdout.

Example:
  capi-proxmox-talos render functionconfig.yaml > cluster09.yaml
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
  'import-helm-values': `Usage: capi-proxmox-talos import-helm-values VALUES

Turns a cluster-chart values.yaml into a ClusterSpec (printed on stdout) with profile: legacy, the API
versions the chart emitted. Values equal to the chart's defaults are left out (an empty spec renders the
chart's default cluster); keys it does not know are reported on stderr.

Example:
  capi-proxmox-talos import-helm-values values.yaml > cluster.yaml
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

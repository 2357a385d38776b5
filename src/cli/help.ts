/** What `--help` and `kpt fn doc` show. */
export const HELP = `capi-proxmox-talos — one ClusterSpec in, every Cluster API object for a Talos
Kubernetes cluster on Proxmox VMs out.

Usage:
  capi-proxmox-talos                     KRM function: read a ResourceList on stdin, write one on stdout
  capi-proxmox-talos render FILE         print the cluster's manifests (FILE: a ClusterSpec or a
                                         ResourceList holding one; - for stdin)
  capi-proxmox-talos diff OLD NEW        explain what changing spec OLD into NEW does to a live cluster
  capi-proxmox-talos import-helm-values VALUES
                                         turn a cluster-chart values.yaml into a ClusterSpec
  capi-proxmox-talos schema              print the ClusterSpec JSON Schema
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

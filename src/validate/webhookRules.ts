/**
 * Rules the providers enforce in admission webhooks or controllers rather than in their CRDs, so a CRD
 * check alone would pass objects the server or the controllers then reject. Sources:
 *  - CAPMOX internal/webhook/proxmoxcluster_webhook.go, proxmoxmachinetemplate_webhook.go (v0.9.0)
 *  - CAPI internal/webhooks/machinedeployment.go, cluster.go, machinehealthcheck.go (v1.14)
 *  - CACPPT api/v1alpha3/taloscontrolplane_webhook.go (v0.5.12; api/ is byte-identical in v0.5.13)
 * (../shared/reference/providers.md summarises them.)
 */
import { parseIPv4, parseRange, contains } from '../clusterspec/network';

type Obj = Record<string, any>;

const FQDN = /^(?=.{1,253}$)([a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*$/;
const SEMVER_V = /^v\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$/;

function proxmoxCluster(o: Obj): string[] {
  const out: string[] = [];
  const s = o.spec ?? {};
  if (!s.ipv4Config && !s.ipv6Config) out.push('at least one of ipv4Config/ipv6Config is required');
  const host: string | undefined = s.controlPlaneEndpoint?.host;
  if (host !== undefined && parseIPv4(host) === undefined && !FQDN.test(host)) out.push(`controlPlaneEndpoint.host ${host} is neither an IP nor a FQDN`);
  const addresses: string[] = s.ipv4Config?.addresses ?? [];
  for (const a of addresses) if (!parseRange(a)) out.push(`ipv4Config.addresses: ${a} is not an IP, range or CIDR`);
  const ip = host === undefined ? undefined : parseIPv4(host);
  if (ip !== undefined && addresses.some((a) => parseRange(a) && contains(parseRange(a)!, ip))) {
    out.push(`controlPlaneEndpoint.host ${host} lies inside ipv4Config.addresses (CAPMOX rejects this)`);
  }
  return out;
}

function proxmoxMachineTemplate(o: Obj): string[] {
  const out: string[] = [];
  const s = o.spec?.template?.spec ?? {};
  if (s.providerID !== undefined) out.push('template.spec.providerID must not be set in a template');
  if (s.memoryMiB !== undefined && s.memoryMiB % 8 !== 0) out.push(`memoryMiB ${s.memoryMiB} is not a multiple of 8`);
  if (s.templateSelector && (s.templateID !== undefined || s.sourceNode !== undefined)) out.push('templateSelector and sourceNode/templateID are mutually exclusive');
  const devices: Obj[] | undefined = s.network?.networkDevices;
  if (o.apiVersion.endsWith('/v1alpha2')) {
    if (!devices?.length) out.push('network.networkDevices must list at least net0');
    devices?.forEach((d, i) => d.name !== `net${i}` && out.push(`network.networkDevices[${i}].name is ${d.name}, expected net${i} (consecutive, net0 first)`));
  }
  const mtu = devices?.[0]?.mtu ?? s.network?.default?.mtu;
  if (mtu !== undefined && mtu !== 1 && (mtu < 1280 || mtu > 65520)) out.push(`mtu ${mtu} must be 1 or 1280..65520`);
  return out;
}

const selectorMatches = (selector: Obj | undefined, labels: Obj | undefined) =>
  !!selector?.matchLabels && Object.entries(selector.matchLabels).every(([k, v]) => labels?.[k] === v);

function machineDeployment(o: Obj): string[] {
  const out: string[] = [];
  const s = o.spec ?? {};
  if (s.clusterName !== s.template?.spec?.clusterName) out.push('spec.clusterName must equal spec.template.spec.clusterName');
  if (!selectorMatches(s.selector, s.template?.metadata?.labels)) out.push('spec.selector does not match spec.template.metadata.labels');
  if (s.template?.metadata && Object.keys(s.template.metadata).length === 0) out.push('spec.template.metadata must not be empty');
  if (!s.template?.spec?.bootstrap?.configRef) out.push('spec.template.spec.bootstrap.configRef is required');
  const version = s.template?.spec?.version;
  if (version !== undefined && !SEMVER_V.test(version)) out.push(`version ${version} is not vX.Y.Z`);
  const ru = s.rollout?.strategy?.rollingUpdate ?? s.strategy?.rollingUpdate;
  if (ru && (ru.maxSurge === 0 || ru.maxSurge === '0%') && (ru.maxUnavailable === 0 || ru.maxUnavailable === '0%')) out.push('maxSurge and maxUnavailable cannot both be 0');
  return out;
}

function cluster(o: Obj): string[] {
  const out: string[] = [];
  if ((o.metadata?.name ?? '').length > 63) out.push('Cluster name must be at most 63 characters');
  const s = o.spec ?? {};
  if (!s.infrastructureRef || !s.controlPlaneRef) out.push('infrastructureRef and controlPlaneRef must both be set');
  if (s.clusterNetwork && Object.keys(s.clusterNetwork).length === 0) out.push('clusterNetwork must not be an empty object');
  if (s.controlPlaneEndpoint && Object.keys(s.controlPlaneEndpoint).length === 0) out.push('controlPlaneEndpoint must not be an empty object');
  return out;
}

function machineHealthCheck(o: Obj): string[] {
  const out: string[] = [];
  const sel = o.spec?.selector ?? {};
  if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) out.push('selector must not be empty');
  const t = o.spec?.checks?.nodeStartupTimeoutSeconds;
  if (t !== undefined && t !== 0 && t < 30) out.push('nodeStartupTimeoutSeconds must be 0 or at least 30');
  return out;
}

function talosControlPlane(o: Obj): string[] {
  const out: string[] = [];
  const s = o.spec ?? {};
  const surge = s.rolloutStrategy?.rollingUpdate?.maxSurge;
  if (surge !== undefined && surge !== 0 && surge !== 1) out.push(`rolloutStrategy.rollingUpdate.maxSurge ${surge} must be 0 or 1`);
  if (!s.infrastructureTemplate?.apiVersion || !s.infrastructureTemplate?.kind || !s.infrastructureTemplate?.name) out.push('infrastructureTemplate needs apiVersion, kind and name');
  return out;
}

function talosConfigTemplate(o: Obj): string[] {
  const s = o.spec?.template?.spec ?? {};
  const out: string[] = [];
  if (!['worker', 'none'].includes(s.generateType)) out.push(`generateType ${s.generateType} is not worker or none`);
  if (s.generateType === 'none' && !s.data) out.push('generateType none needs data');
  if (s.hostname?.source && !['MachineName', 'InfrastructureName'].includes(s.hostname.source)) out.push(`hostname.source ${s.hostname.source} is not MachineName or InfrastructureName`);
  return out;
}

const RULES: Record<string, (o: Obj) => string[]> = {
  ProxmoxCluster: proxmoxCluster,
  ProxmoxMachineTemplate: proxmoxMachineTemplate,
  MachineDeployment: machineDeployment,
  Cluster: cluster,
  MachineHealthCheck: machineHealthCheck,
  TalosControlPlane: talosControlPlane,
  TalosConfigTemplate: talosConfigTemplate,
};

export function webhookProblems(o: Obj): string[] {
  const rule = RULES[o.kind];
  return rule ? rule(o).map((m) => `${o.kind}/${o.metadata?.name}: ${m}`) : [];
}

/** Changes the providers reject on update: templates are immutable (CAPMOX, CABPT webhooks). */
export function updateProblems(oldObj: Obj, newObj: Obj): string[] {
  const immutable = ['ProxmoxMachineTemplate', 'TalosConfigTemplate'];
  if (immutable.includes(newObj.kind) && JSON.stringify(oldObj.spec) !== JSON.stringify(newObj.spec)) {
    return [`${newObj.kind}/${newObj.metadata?.name}: ${newObj.kind} is immutable: its spec may not change in place`];
  }
  return [];
}

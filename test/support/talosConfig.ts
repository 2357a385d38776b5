/**
 * Reads a Talos machine config back the way Talos builds it from CABPT's strategic patches, for the test
 * oracle (test/support/meaningOracle.ts). Written from Talos' own rules, never from our builders:
 *
 * - Each patch is YAML 1.2 text (Talos reads its config with go-yaml v3/v4, YAML 1.2), possibly several
 *   documents separated by `---`.
 * - Documents are identified by (apiVersion, kind, name); a patch document with the identity of an earlier
 *   one merges into it, otherwise it is appended (siderolabs/talos pkg/machinery@v1.14.1
 *   config/configpatcher/strategic.go, StrategicMerge). The v1alpha1 document (no `kind`) is one document.
 * - Merging (pkg/machinery@v1.14.1 config/merge/merge.go): maps merge key by key; a scalar on the right
 *   replaces the left unless it is the zero value ("" or 0; false always replaces); lists are appended,
 *   except `cluster.network.podSubnets`/`serviceSubnets` (tag merge:"replace") and the lists Talos keys:
 *   `machine.network.interfaces` by `interface` or by an equal `deviceSelector` (NetworkDeviceList.Merge),
 *   `vlans` by `vlanId` (VlanList.Merge), `cluster.apiServer.admissionControl` by `name`.
 *
 * Where each setting lives differs by Talos version; `FORMS` below is the one place that knows it.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { celEnv, celFunc, CelScalar, parse as parseCel, plan, type CelInput } from '@bufbuild/cel';

export type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Lists Talos merges by a key instead of appending: path (keys joined by '.', list entries as []) → key of an entry. */
const KEYED_LISTS: Record<string, (entry: Obj) => unknown> = {
  'machine.network.interfaces': (e) => (e.interface ? { interface: e.interface } : e.deviceSelector ? { deviceSelector: e.deviceSelector } : undefined),
  'machine.network.interfaces[].vlans': (e) => ({ vlanId: e.vlanId }),
  'cluster.apiServer.admissionControl': (e) => ({ name: e.name }),
};
const REPLACED_LISTS = new Set(['cluster.network.podSubnets', 'cluster.network.serviceSubnets']);

const isZero = (v: unknown) => v === '' || v === 0;

/** Talos' merge of `right` into a copy of `left` (untyped: the YAML as data). */
export function talosMerge(left: unknown, right: unknown, path = ''): unknown {
  if (right === undefined || right === null) return left;
  if (isObj(left) && isObj(right)) {
    const out: Obj = { ...left };
    for (const [k, v] of Object.entries(right)) out[k] = k in left ? talosMerge(left[k], v, path ? `${path}.${k}` : k) : v;
    return out;
  }
  if (Array.isArray(left) && Array.isArray(right)) {
    if (REPLACED_LISTS.has(path)) return right.length ? right : left;
    const keyOf = KEYED_LISTS[path];
    if (!keyOf) return [...left, ...right];
    const out = [...left];
    for (const entry of right) {
      const key = isObj(entry) ? keyOf(entry) : undefined;
      const at = key === undefined ? -1 : out.findIndex((e) => isObj(e) && isDeepStrictEqual(keyOf(e), key));
      if (at >= 0) out[at] = talosMerge(out[at], entry, `${path}[]`);
      else out.push(entry);
    }
    return out;
  }
  if (left !== undefined && isZero(right)) return left;
  return right;
}

/** A Talos config as documents: the v1alpha1 one, and the others by `apiVersion/kind/name`. */
export interface TalosConfig {
  v1alpha1: Obj;
  documents: Map<string, Obj>;
  /** Patches that are not valid YAML, or documents that are not mappings. */
  errors: string[];
}

const documentId = (d: Obj) => `${d.apiVersion ?? ''}/${d.kind}${d.name === undefined ? '' : `/${d.name}`}`;

/** Merges parsed documents (in order) into one config. */
export function configOf(docs: unknown[], into: TalosConfig = { v1alpha1: {}, documents: new Map(), errors: [] }): TalosConfig {
  for (const d of docs) {
    if (!isObj(d)) {
      into.errors.push(`a patch document is not a mapping: ${JSON.stringify(d)}`);
      continue;
    }
    if (typeof d.kind === 'string') {
      const id = documentId(d);
      const have = into.documents.get(id);
      into.documents.set(id, have ? (talosMerge(have, d) as Obj) : d);
    } else {
      into.v1alpha1 = talosMerge(into.v1alpha1, d) as Obj;
    }
  }
  return into;
}

const parsedPatches = new Map<string, { docs: unknown[]; errors: string[] }>();
/** Parses one strategic patch (YAML 1.2, documents separated by `---`) into its documents (cached: pools share patches). */
export function patchDocuments(text: string): { docs: unknown[]; errors: string[] } {
  let got = parsedPatches.get(text);
  if (!got) {
    if (parsedPatches.size > 10000) parsedPatches.clear();
    parsedPatches.set(text, (got = parseDocs(text)));
  }
  return { docs: structuredClone(got.docs), errors: got.errors };
}
function parseDocs(text: string): { docs: unknown[]; errors: string[] } {
  const parsed = parseAllDocuments(text, { version: '1.2', uniqueKeys: true });
  const list = Array.isArray(parsed) ? parsed : [];
  const errors = list.flatMap((d) => d.errors.map((e) => e.message));
  return { docs: list.filter((d) => d.contents !== null).map((d) => d.toJS()), errors };
}

/** The config CABPT hands Talos: every strategic patch merged in order. */
export function readTalosConfig(patches: unknown): TalosConfig {
  const cfg: TalosConfig = { v1alpha1: {}, documents: new Map(), errors: [] };
  if (!Array.isArray(patches)) {
    cfg.errors.push('strategicPatches is not a list');
    return cfg;
  }
  for (const p of patches) {
    if (typeof p !== 'string') {
      cfg.errors.push(`a strategic patch is not a string: ${JSON.stringify(p)}`);
      continue;
    }
    const { docs, errors } = patchDocuments(p);
    cfg.errors.push(...errors);
    configOf(docs, cfg);
  }
  return cfg;
}

const at = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (isObj(v) ? v[k] : undefined), o);
const docsOfKind = (c: TalosConfig, kind: string) => [...c.documents.values()].filter((d) => d.kind === kind);
const one = (c: TalosConfig, kind: string) => docsOfKind(c, kind)[0];

/** A link as Talos' LinkStatus shows it, for asking which links a VIP's selector picks. */
export interface Link {
  name: string;
  /** ARPHRD type: 1 ether, 772 loopback. */
  type: number;
  /** Link kind: "" for a plain device, else bond, vlan, … */
  kind: string;
  driver: string;
  busPath: string;
  pciID: string;
  hardwareAddr: string;
  permanentAddr: string;
}
export const isPhysical = (l: Link) => l.type === 1 && l.kind === '';

/** Talos' glob for selector values (github.com/ryanuber/go-glob, as Talos uses it): `*` is the only wildcard. */
export function glob(pattern: string, s: string): boolean {
  if (!pattern.includes('*')) return pattern === s;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(s);
}

/**
 * Does a v1alpha1 deviceSelector pick this link? Talos (internal/app/machined/pkg/controllers/network,
 * DeviceConfigController.selectDevices): every given string field must glob-match the link's, and
 * `physical`, when given, must equal the link's physical-ness.
 */
export function deviceSelectorPicks(selector: Obj, l: Link): boolean {
  const pairs: [unknown, string][] = [
    [selector.hardwareAddr, l.hardwareAddr],
    [selector.permanentAddr, l.permanentAddr],
    [selector.pciID, l.pciID],
    [selector.driver, l.driver],
    [selector.busPath, l.busPath],
  ];
  for (const [want, have] of pairs) if (typeof want === 'string' && want !== '' && !glob(want, have)) return false;
  if (typeof selector.physical === 'boolean' && selector.physical !== isPhysical(l)) return false;
  return true;
}

/**
 * A LinkAliasConfig's CEL match on a link, as Talos evaluates it on LinkStatus: the fields by their
 * protobuf names, MACs as bytes read with `mac()`, and `glob()` (Talos' CEL environment).
 */
const CEL = celEnv({
  funcs: [
    celFunc('mac', [CelScalar.BYTES], CelScalar.STRING, (b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':')),
    celFunc('glob', [CelScalar.STRING, CelScalar.STRING], CelScalar.BOOL, (p, s) => glob(p, s)),
  ],
});
const macBytes = (mac: string) => Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
const celPlans = new Map<string, (ctx: Record<string, CelInput>) => unknown>();
export function celPicks(match: string, l: Link): boolean {
  let p = celPlans.get(match);
  if (!p) celPlans.set(match, (p = plan(CEL, parseCel(match)) as (ctx: Record<string, CelInput>) => unknown));
  const link = new Map<string, CelInput>([
    ['type', BigInt(l.type)],
    ['kind', l.kind],
    ['driver', l.driver],
    ['bus_path', l.busPath],
    ['pci_id', l.pciID],
    ['hardware_addr', macBytes(l.hardwareAddr)],
    ['permanent_addr', macBytes(l.permanentAddr)],
  ]);
  const r = p({ link: link as unknown as CelInput });
  if (typeof r !== 'boolean') throw new Error(`CEL match ${match} gave ${String(r)}, not true or false`);
  return r;
}

/** An endpoint VIP as Talos would set it up: its address and which links it goes on. */
export interface VIP {
  ip: unknown;
  form: string;
  picks: (l: Link) => boolean;
}

type Reader = (c: TalosConfig) => unknown;
interface Form {
  form: string;
  read: Reader;
}
const v1 = (path: string): Form => ({ form: `v1alpha1 ${path}`, read: (c) => at(c.v1alpha1, path) });
const doc = (kind: string, read: (d: Obj) => unknown): Form => ({ form: kind, read: (c) => (one(c, kind) ? read(one(c, kind)) : undefined) });
const docs = (kind: string, read: (ds: Obj[]) => unknown): Form => ({ form: kind, read: (c) => (docsOfKind(c, kind).length ? read(docsOfKind(c, kind)) : undefined) });

/**
 * Where each setting may live, by Talos config form: the v1alpha1 document (every Talos version), and the
 * separate documents newer Talos versions take instead (from 1.12: LinkAliasConfig + Layer2VIPConfig for
 * the VIP; from machinery v1.14.1's config/types: TimeSyncConfig, RegistryMirrorConfig, KernelModuleConfig,
 * SysctlConfig, KubeletConfig, KubeNodeConfig, KubeAPIServerConfig, KubeProxyConfig,
 * KubeExternalManifestConfig, KubeTalosAPIAccessConfig). A setting found in two forms at once is reported:
 * Talos would have two sources for one value. Every reader returns the setting in one shape whatever the form.
 */
export const FORMS = {
  // From 1.14 the install is an UnattendedInstallConfig: the disk as a CEL selector on its device path.
  installDisk: [v1('machine.install.disk'), doc('UnattendedInstallConfig', (d) => /^disk\.dev_path == "(.*)"$/.exec(String(d.provisioning?.diskSelector?.match ?? ''))?.[1] ?? d.provisioning?.diskSelector?.match)],
  installImage: [v1('machine.install.image'), doc('UnattendedInstallConfig', (d) => d.installer?.image)],
  kernelArgs: [v1('machine.install.extraKernelArgs')],
  ntpServers: [v1('machine.time.servers'), doc('TimeSyncConfig', (d) => at(d, 'ntp.servers'))],
  /** registry host → endpoint URLs */
  registryMirrors: [
    { form: 'v1alpha1 machine.registries.mirrors', read: (c: TalosConfig) => mapValues(at(c.v1alpha1, 'machine.registries.mirrors'), (m) => (isObj(m) ? m.endpoints : m)) },
    docs('RegistryMirrorConfig', (ds) => Object.fromEntries(ds.map((d) => [d.name, (d.endpoints ?? []).map((e: Obj) => e.url)]))),
  ],
  /** [{name, parameters?}] */
  kernelModules: [v1('machine.kernel.modules'), docs('KernelModuleConfig', (ds) => ds.map((d) => ({ name: d.name, ...(d.parameters && { parameters: d.parameters }) })))],
  sysctls: [v1('machine.sysctls'), doc('SysctlConfig', (d) => d.params)],
  kubeletArgs: [v1('machine.kubelet.extraArgs'), doc('KubeletConfig', (d) => d.extraArgs)],
  nodeLabels: [v1('machine.nodeLabels'), doc('KubeNodeConfig', (d) => d.labels)],
  nodeTaints: [v1('machine.nodeTaints'), doc('KubeNodeConfig', (d) => d.taints)],
  apiServerCertSANs: [v1('cluster.apiServer.certSANs'), doc('KubeAPIServerConfig', (d) => d.certExtraSANs)],
  machineCertSANs: [v1('machine.certSANs')],
  // From 1.14 Flannel is a KubeFlannelCNIConfig document of the base config: `cni: none` deletes it.
  cni: [v1('cluster.network.cni.name'), doc('KubeFlannelCNIConfig', (d) => (d.$patch === 'delete' ? 'none' : 'flannel'))],
  /** true when kube-proxy is off */
  kubeProxyDisabled: [v1('cluster.proxy.disabled'), doc('KubeProxyConfig', (d) => (d.enabled === undefined ? undefined : !d.enabled))],
  extraManifests: [v1('cluster.extraManifests'), docs('KubeExternalManifestConfig', (ds) => ds.map((d) => d.url))],
  /** {enabled, manifests?} */
  externalCloudProvider: [v1('cluster.externalCloudProvider')],
  /** {enabled, allowedRoles, allowedKubernetesNamespaces} */
  talosAPIAccess: [v1('machine.features.kubernetesTalosAPIAccess'), doc('KubeTalosAPIAccessConfig', (d) => ({ enabled: true, allowedRoles: d.allowedRoles, allowedKubernetesNamespaces: d.allowedKubernetesNamespaces }))],
  /** VIP[] */
  vips: [
    {
      form: 'v1alpha1 machine.network.interfaces[].vip',
      read: (c: TalosConfig) => {
        const ifaces = at(c.v1alpha1, 'machine.network.interfaces');
        if (!Array.isArray(ifaces)) return undefined;
        const vips = ifaces.filter((i) => isObj(i) && isObj(i.vip));
        if (!vips.length) return undefined;
        return vips.map((i): VIP => ({ ip: i.vip.ip, form: 'v1alpha1', picks: (l) => (isObj(i.deviceSelector) ? deviceSelectorPicks(i.deviceSelector, l) : i.interface === l.name) }));
      },
    },
    {
      form: 'Layer2VIPConfig + LinkAliasConfig',
      read: (c: TalosConfig) => {
        const vips = docsOfKind(c, 'Layer2VIPConfig');
        if (!vips.length) return undefined;
        const aliases = docsOfKind(c, 'LinkAliasConfig');
        return vips.map((d): VIP => {
          const alias = aliases.find((a) => a.name === d.link);
          const match = alias && isObj(alias.selector) && typeof alias.selector.match === 'string' ? alias.selector.match : undefined;
          // Without an alias of that name, `link` names the link itself.
          return { ip: d.name, form: 'Layer2VIPConfig', picks: (l) => (match !== undefined ? celPicks(match, l) : d.link === l.name) };
        });
      },
    },
  ] as Form[],
} satisfies Record<string, Form[]>;

function mapValues(o: unknown, f: (v: unknown) => unknown): unknown {
  if (!isObj(o)) return o;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

export type Setting = keyof typeof FORMS;

/** A setting's value in whichever form the config holds it; undefined when absent; an error when it is in two forms. */
export function readSetting(c: TalosConfig, setting: Setting): { value: unknown; form?: string; error?: string } {
  const found = (FORMS[setting] as Form[]).map((f) => ({ form: f.form, value: f.read(c) })).filter((x) => x.value !== undefined);
  if (found.length > 1) return { value: found[0].value, error: `${setting} is set in ${found.length} forms at once (${found.map((f) => f.form).join(', ')})` };
  return found[0] ?? { value: undefined };
}

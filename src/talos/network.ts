/**
 * The API endpoint as a Talos VIP on the control planes, in the form each Talos version documents.
 *
 * - Talos < 1.12: `machine.network.interfaces[]` with the `deviceSelector` and `vip.ip` (v1alpha1 config).
 * - Talos ≥ 1.12, where `machine.network` is deprecated: the multi-document network config. A
 *   `LinkAliasConfig` names the link the selector picks (a CEL expression on the link's LinkStatus), and a
 *   `Layer2VIPConfig` puts the VIP on that name (docs.siderolabs.com/talos/v1.12/reference/configuration/
 *   network/layer2vipconfig and …/linkaliasconfig). Selector keys with no documented CEL counterpart here
 *   (anything but physical, driver, hardwareAddr, permanentAddr, busPath) keep the deprecated form, which
 *   Talos 1.12 and 1.13 still accept.
 *
 * CABPT supports multi-document patches: v0.6.12 loads every `strategicPatches` entry with Talos machinery
 * v1.13's `configpatcher.LoadPatch` and applies them with `configpatcher.Apply`, and for talosVersion ≥
 * 1.12.0-beta.0 it appends its own `HostnameConfig` document the same way
 * (siderolabs/cluster-api-bootstrap-provider-talos v0.6.12 controllers/talosconfig_controller.go, the
 * strategic-patch loop and genConfigs). JSON 6902 `configPatches` would not: the CABPT README says they are
 * incompatible with multi-document configs.
 */
import type { Model } from '../clusterspec/parse';
import { multiDocumentNetwork } from './contract';
import { toYAML } from '../yaml/write';

type Doc = Record<string, unknown>;

/** A strategic patch made of several Talos config documents (written with `---` between them). */
export class Documents {
  constructor(readonly documents: Doc[]) {}
}

/** The YAML text CABPT expects for a patch: one document, or several separated by `---`. */
export function patchText(p: Doc | Documents): string {
  return p instanceof Documents ? p.documents.map(toYAML).join('---\n') : toYAML(p);
}

/** The name the VIP's link gets from the LinkAliasConfig (not a kernel name: Talos resolves it). */
export const VIP_LINK_ALIAS = 'cpt-vip';

export { multiDocumentNetwork } from './contract';

const celString = (s: string) => JSON.stringify(s);
/** A MAC match: exact, or a glob when the selector has wildcards (deviceSelector allows `00:00:*`). */
const macMatch = (field: string, value: string) => (value.includes('*') ? `glob(${celString(value)}, mac(${field}))` : `mac(${field}) == ${celString(value)}`);
/**
 * A deviceSelector string as CEL: Talos matches every selector string as a `*` glob (device_config.go,
 * selectDevices, with ryanuber/go-glob), so a value with `*` becomes CEL's glob() and any other an exact match.
 */
const textMatch = (field: string, value: string) => (value.includes('*') ? `glob(${celString(value)}, ${field})` : `${field} == ${celString(value)}`);

/**
 * The deviceSelector as a CEL expression on LinkStatus, or undefined when a key has no known counterpart.
 * physical: Talos' LinkStatusSpec.Physical() is `Type == LinkEther && Kind == ""` (ARPHRD_ETHER is 1).
 */
export function selectorCEL(selector: Record<string, string | boolean>): string | undefined {
  const terms: string[] = [];
  for (const key of Object.keys(selector).sort()) {
    const v = selector[key];
    if (key === 'physical' && typeof v === 'boolean') terms.push(v ? '(link.type == 1 && link.kind == "")' : '!(link.type == 1 && link.kind == "")');
    // `?` and `[` are literal to go-glob but special to CEL's glob(): such a value keeps the deprecated form.
    else if (typeof v === 'string' && /[?[]/.test(v)) return undefined;
    else if (key === 'driver' && typeof v === 'string') terms.push(textMatch('link.driver', v));
    else if (key === 'hardwareAddr' && typeof v === 'string') terms.push(macMatch('link.hardware_addr', v));
    else if (key === 'permanentAddr' && typeof v === 'string') terms.push(macMatch('link.permanent_addr', v));
    else if (key === 'busPath' && typeof v === 'string') terms.push(textMatch('link.bus_path', v));
    else return undefined;
  }
  return terms.length ? terms.join(' && ') : undefined;
}

/** The VIP inside the v1alpha1 `machine` section (Talos < 1.12, or a selector CEL cannot express). */
export function vipMachineNetwork(m: Model): Doc | undefined {
  if (multiDocumentNetwork(m.talosVersion) && selectorCEL(m.controlPlane.vipDeviceSelector)) return undefined;
  return { interfaces: [{ deviceSelector: m.controlPlane.vipDeviceSelector, dhcp: false, vip: { ip: m.controlPlane.endpointIP } }] };
}

/** The VIP as multi-document network config (Talos ≥ 1.12), or undefined when `vipMachineNetwork` carries it. */
export function vipDocuments(m: Model): Documents | undefined {
  const match = multiDocumentNetwork(m.talosVersion) ? selectorCEL(m.controlPlane.vipDeviceSelector) : undefined;
  if (!match) return undefined;
  return new Documents([
    { apiVersion: 'v1alpha1', kind: 'LinkAliasConfig', name: VIP_LINK_ALIAS, selector: { match } },
    { apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: m.controlPlane.endpointIP, link: VIP_LINK_ALIAS },
  ]);
}

/**
 * The endpoint VIP in the form each Talos minor documents: machine.network before 1.12, the multi-document
 * network config (LinkAliasConfig + Layer2VIPConfig) from 1.12 on. One case per Talos minor we support.
 */
import { parseAllDocuments } from 'yaml';
import { parse as parseCel } from '@bufbuild/cel';
import { renderObjects, errorsOf, clusterSpec } from './support/render';
import { generate } from '../src/generate';
import { TALOS_KUBERNETES_SUPPORT } from '../src/clusterspec/versions';
import { selectorCEL } from '../src/talos/network';

const image = (talos: string) => `factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b:${talos}.0`;
const spec = (minor: string, extra: Record<string, unknown> = {}) => ({
  cluster: { talosImage: image(minor), kubernetesVersion: `v${TALOS_KUBERNETES_SUPPORT[minor].max}.0` },
  ...extra,
});
/** Every strategic patch of the TalosControlPlane, each as its list of YAML documents. */
const cpPatches = (s: unknown) => {
  const tcp = renderObjects(s).find((o) => o.kind === 'TalosControlPlane');
  return (tcp.spec.controlPlaneConfig.controlplane.strategicPatches as string[]).map((p) => parseAllDocuments(p).map((d: any) => d.toJS()));
};
const vipDocs = (patches: any[][]) => patches.flat().filter((d) => d.kind === 'Layer2VIPConfig' || d.kind === 'LinkAliasConfig');
const machineNetworks = (patches: any[][]) => patches.flat().filter((d) => d.machine?.network);

const minors = Object.keys(TALOS_KUBERNETES_SUPPORT);
test('the support table runs to Talos v1.13 (Kubernetes 1.31 to 1.36, Talos support matrix)', () => {
  expect(minors.at(-1)).toBe('v1.13');
  expect(TALOS_KUBERNETES_SUPPORT['v1.13']).toEqual({ min: '1.31', max: '1.36' });
  const warnings = generate(clusterSpec(spec('v1.13'))).results.filter((r) => r.severity === 'warning' && /support table/.test(r.message));
  expect(warnings).toEqual([]);
  expect(errorsOf({ cluster: { talosImage: image('v1.13'), kubernetesVersion: 'v1.30.0' } })[0].message).toMatch(/not supported by Talos v1.13; it supports Kubernetes v1.31 to v1.36/);
});

describe.each(minors)('Talos %s', (minor) => {
  const multiDoc = Number(minor.split('.')[1]) >= 12;
  test(multiDoc ? 'VIP as LinkAliasConfig + Layer2VIPConfig documents, no machine.network' : 'VIP under machine.network.interfaces', () => {
    const patches = cpPatches(spec(minor, { network: { bastion: { host: 'freyr', endpointIP: '192.168.1.80' } } }));
    if (!multiDoc) {
      expect(vipDocs(patches)).toEqual([]);
      expect(machineNetworks(patches).map((d) => d.machine.network)).toEqual([
        { interfaces: [{ deviceSelector: { physical: true }, dhcp: false, vip: { ip: '192.168.4.100' } }] },
      ]);
      return;
    }
    expect(machineNetworks(patches)).toEqual([]);
    const [entry] = patches.filter((docs) => docs.some((d) => d.kind === 'Layer2VIPConfig'));
    expect(entry).toEqual([
      { apiVersion: 'v1alpha1', kind: 'LinkAliasConfig', name: 'cpt-vip', selector: { match: '(link.type == 1 && link.kind == "")' } },
      { apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: '192.168.4.100', link: 'cpt-vip' },
    ]);
    // the SANs stay in the v1alpha1 document
    expect(patches.flat().find((d) => d.machine?.certSANs)?.machine.certSANs).toEqual(['freyr', '192.168.1.80']);
  });
});

test('workers never carry the VIP, in either form', () => {
  for (const minor of ['v1.11', 'v1.13']) {
    const tct = renderObjects(spec(minor)).find((o) => o.kind === 'TalosConfigTemplate');
    expect(tct.spec.template.spec.strategicPatches.join('\n')).not.toMatch(/vip|Layer2VIPConfig|LinkAliasConfig/i);
  }
});

test.each([
  [{ physical: true }, '(link.type == 1 && link.kind == "")'],
  [{ busPath: '0000:00:12.0' }, 'link.bus_path == "0000:00:12.0"'],
  [{ driver: 'virtio_net', physical: true }, 'link.driver == "virtio_net" && (link.type == 1 && link.kind == "")'],
  [{ hardwareAddr: 'bc:24:11:00:00:01' }, 'mac(link.hardware_addr) == "bc:24:11:00:00:01"'],
  [{ permanentAddr: 'bc:24:11:*' }, 'glob("bc:24:11:*", mac(link.permanent_addr))'],
])('deviceSelector %p as CEL: %s (and it parses as CEL)', (selector, cel) => {
  expect(selectorCEL(selector)).toBe(cel);
  expect(() => parseCel(cel)).not.toThrow();
});

test('a selector key CEL has no counterpart for here keeps the deprecated form, which Talos 1.13 still takes', () => {
  const patches = cpPatches(spec('v1.13', { controlPlane: { vipDeviceSelector: { pciID: '1AF4:1000' } } }));
  expect(vipDocs(patches)).toEqual([]);
  expect(machineNetworks(patches)[0].machine.network.interfaces[0]).toEqual({ deviceSelector: { pciID: '1AF4:1000' }, dhcp: false, vip: { ip: '192.168.4.100' } });
});

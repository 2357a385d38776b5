/**
 * Day 2 through Git: a sequence of spec edits, each compared with the previous output. For every step
 * we assert exactly which objects are added, changed or removed, and that no immutable template
 * (ProxmoxMachineTemplate, TalosConfigTemplate) is ever changed in place: only added or removed.
 */
import { renderObjects } from './support/render';
import { updateProblems } from '../src/validate/webhookRules';

type Spec = Record<string, any>;
const base: Spec = {
  network: { ipRanges: ['192.168.4.101-192.168.4.160'] },
  controlPlane: { replicas: 1 },
  workers: [{ name: 'general', replicas: 2 }, { name: 'gpu', replicas: 1, cores: 8 }],
};

const key = (o: any) => `${o.kind}/${o.metadata.name}`;
function diff(before: any[], after: any[]) {
  const b = new Map(before.map((o) => [key(o), o]));
  const a = new Map(after.map((o) => [key(o), o]));
  const kinds = (keys: string[]) => keys.map((k) => k.replace(/-[0-9a-f]{8}$/, '-<hash>')).sort();
  return {
    added: kinds([...a.keys()].filter((k) => !b.has(k))),
    removed: kinds([...b.keys()].filter((k) => !a.has(k))),
    changed: kinds([...a.keys()].filter((k) => b.has(k) && JSON.stringify(b.get(k)) !== JSON.stringify(a.get(k)))),
    immutableViolations: [...a.keys()].filter((k) => b.has(k)).flatMap((k) => updateProblems(b.get(k), a.get(k))),
  };
}

const steps: [string, (s: Spec) => void, { added?: string[]; removed?: string[]; changed?: string[] }][] = [
  ['scale a pool up', (s) => (s.workers[0].replicas = 5), { changed: ['MachineDeployment/cluster09-general'] }],
  ['scale a pool down', (s) => (s.workers[0].replicas = 1), { changed: ['MachineDeployment/cluster09-general'] }],
  ['scale the control plane 1 → 3', (s) => (s.controlPlane.replicas = 3), { changed: ['TalosControlPlane/cluster09-control-plane'] }],
  [
    'resize control plane CPU and memory',
    (s) => Object.assign(s.controlPlane, { cores: 8, memoryMiB: 32768 }),
    { added: ['ProxmoxMachineTemplate/cluster09-control-plane-<hash>'], removed: ['ProxmoxMachineTemplate/cluster09-control-plane-<hash>'], changed: ['TalosControlPlane/cluster09-control-plane'] },
  ],
  [
    "resize a pool's disk",
    (s) => (s.workers[1].bootVolumeSizeGB = 300),
    { added: ['ProxmoxMachineTemplate/cluster09-gpu-<hash>'], removed: ['ProxmoxMachineTemplate/cluster09-gpu-<hash>'], changed: ['MachineDeployment/cluster09-gpu'] },
  ],
  [
    'change the bridge and VLAN',
    (s) => (s.proxmox = { vm: { bridge: 'vmbr1', vlan: 40 } }),
    {
      added: ['ProxmoxMachineTemplate/cluster09-control-plane-<hash>', 'ProxmoxMachineTemplate/cluster09-general-<hash>', 'ProxmoxMachineTemplate/cluster09-gpu-<hash>'],
      removed: ['ProxmoxMachineTemplate/cluster09-control-plane-<hash>', 'ProxmoxMachineTemplate/cluster09-general-<hash>', 'ProxmoxMachineTemplate/cluster09-gpu-<hash>'],
      changed: ['MachineDeployment/cluster09-general', 'MachineDeployment/cluster09-gpu', 'TalosControlPlane/cluster09-control-plane'],
    },
  ],
  [
    'upgrade Kubernetes',
    (s) => (s.cluster = { ...s.cluster, kubernetesVersion: 'v1.33.4' }),
    { changed: ['MachineDeployment/cluster09-general', 'MachineDeployment/cluster09-gpu', 'TalosControlPlane/cluster09-control-plane'] },
  ],
  [
    'upgrade the Talos image',
    (s) => (s.cluster = { ...s.cluster, talosImage: 'factory.talos.dev/nocloud-installer/6adc7e7fba27948460e2231e5272e88b85159da3f3db980551976bf9898ff64b:v1.11.5' }),
    {
      added: ['TalosConfigTemplate/cluster09-general-<hash>', 'TalosConfigTemplate/cluster09-gpu-<hash>'],
      removed: ['TalosConfigTemplate/cluster09-general-<hash>', 'TalosConfigTemplate/cluster09-gpu-<hash>'],
      changed: ['MachineDeployment/cluster09-general', 'MachineDeployment/cluster09-gpu', 'TalosControlPlane/cluster09-control-plane'],
    },
  ],
  [
    'add a pool',
    (s) => s.workers.push({ name: 'burst', replicas: 1 }),
    { added: ['MachineDeployment/cluster09-burst', 'ProxmoxMachineTemplate/cluster09-burst-<hash>', 'TalosConfigTemplate/cluster09-burst-<hash>'] },
  ],
  [
    'remove a pool',
    (s) => (s.workers = s.workers.filter((w: Spec) => w.name !== 'burst')),
    { removed: ['MachineDeployment/cluster09-burst', 'ProxmoxMachineTemplate/cluster09-burst-<hash>', 'TalosConfigTemplate/cluster09-burst-<hash>'] },
  ],
  [
    'rename a pool',
    (s) => (s.workers[0].name = 'main'),
    {
      added: ['MachineDeployment/cluster09-main', 'ProxmoxMachineTemplate/cluster09-main-<hash>', 'TalosConfigTemplate/cluster09-main-<hash>'],
      removed: ['MachineDeployment/cluster09-general', 'ProxmoxMachineTemplate/cluster09-general-<hash>', 'TalosConfigTemplate/cluster09-general-<hash>'],
    },
  ],
  [
    'add a Talos patch to one pool',
    (s) => (s.workers[1].patches = [{ machine: { sysctls: { 'vm.nr_hugepages': '1024' } } }]),
    { added: ['TalosConfigTemplate/cluster09-gpu-<hash>'], removed: ['TalosConfigTemplate/cluster09-gpu-<hash>'], changed: ['MachineDeployment/cluster09-gpu'] },
  ],
  [
    'give the cluster a VM ID range',
    (s) => (s.proxmox = { ...s.proxmox, vmIDRange: { start: 4000, end: 4099 } }),
    {
      added: ['ProxmoxMachineTemplate/cluster09-control-plane-<hash>', 'ProxmoxMachineTemplate/cluster09-gpu-<hash>', 'ProxmoxMachineTemplate/cluster09-main-<hash>'],
      removed: ['ProxmoxMachineTemplate/cluster09-control-plane-<hash>', 'ProxmoxMachineTemplate/cluster09-gpu-<hash>', 'ProxmoxMachineTemplate/cluster09-main-<hash>'],
      changed: ['MachineDeployment/cluster09-gpu', 'MachineDeployment/cluster09-main', 'TalosControlPlane/cluster09-control-plane'],
    },
  ],
  ['add a health check to a pool', (s) => (s.workers[1].healthCheck = {}), { added: ['MachineHealthCheck/cluster09-gpu'] }],
  ['turn on autoscaling', (s) => (s.workers[0].autoscaling = { minReplicas: 1, maxReplicas: 5 }), { changed: ['MachineDeployment/cluster09-main'] }],
];

test('each edit changes exactly what it should, and never an immutable template in place', () => {
  let spec: Spec = structuredClone(base);
  let before = renderObjects(spec);
  for (const [name, edit, expected] of steps) {
    const next = structuredClone(spec);
    edit(next);
    const after = renderObjects(next);
    const d = diff(before, after);
    expect({ step: name, added: d.added, removed: d.removed, changed: d.changed }).toEqual({
      step: name,
      added: [...(expected.added ?? [])].sort(),
      removed: [...(expected.removed ?? [])].sort(),
      changed: [...(expected.changed ?? [])].sort(),
    });
    expect(d.immutableViolations).toEqual([]);
    spec = next;
    before = after;
  }
});

test('scaling changes only replicas; an upgrade changes only version fields', () => {
  const a = renderObjects(base);
  const scaled = renderObjects({ ...base, workers: [{ ...base.workers[0], replicas: 9 }, base.workers[1]] });
  const md = (objs: any[]) => objs.find((o) => o.metadata.name === 'cluster09-general' && o.kind === 'MachineDeployment');
  expect({ ...md(scaled).spec, replicas: 2 }).toEqual(md(a).spec);
  const upgraded = renderObjects({ ...base, cluster: { kubernetesVersion: 'v1.33.4' } });
  const up = md(upgraded);
  expect(up.spec.template.spec.version).toBe('v1.33.4');
  up.spec.template.spec.version = md(a).spec.template.spec.version;
  expect(up).toEqual(md(a));
});

test('template names stay within 63 characters for the longest allowed names', () => {
  const objs = renderObjects({ cluster: { name: 'c'.repeat(40) }, workers: [{ name: 'p'.repeat(13) }] });
  for (const o of objs) expect(o.metadata.name.length).toBeLessThanOrEqual(63);
});

/**
 * Which of a machine's network devices a Talos deviceSelector picks, so that the endpoint VIP lands on
 * net0 (the machine network) and nowhere else.
 *
 * How Talos matches (siderolabs/talos internal/app/machined/pkg/controllers/network/device_config.go,
 * selectDevices): every string key given must match the link's value as a `*` glob (ryanuber/go-glob,
 * case-sensitive), and `physical` must equal the link's Physical(); a selector picks every link that
 * matches. What a Proxmox VM's link reports (pkg/machinery/nethelpers/device.go: the `DRIVER` and `PCI_ID` of
 * /sys/class/net/<link>/device/uevent): the Linux driver of its NIC model, and a PCI ID only where the NIC
 * is itself a PCI device — a virtio NIC's device is the virtio bus device, whose uevent has no PCI_ID.
 * Every NIC of a VM is a physical Ethernet link.
 */
import type { Model } from './parse';

/** What the guest sees of each Proxmox NIC model (Linux drivers; PCI IDs in uevent's upper-case form). */
const NIC_MODELS: Record<string, { driver: string; pciID: string }> = {
  virtio: { driver: 'virtio_net', pciID: '' },
  e1000: { driver: 'e1000', pciID: '8086:100E' },
  // QEMU's RTL8139 has PCI revision 0x20, which the 8139cp driver claims (before 8139too).
  rtl8139: { driver: '8139cp', pciID: '10EC:8139' },
  vmxnet3: { driver: 'vmxnet3', pciID: '15AD:07B0' },
};

/** Talos's glob: `*` matches any run of characters, everything else itself. */
const glob = (pattern: string, value: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

type Selector = Record<string, string | boolean | undefined>;

/**
 * The problem with this selector for these NICs (net0 first), or undefined when it picks net0 alone or
 * names one device exactly (a MAC address or bus path without `*`, which we cannot see before the VM exists).
 */
export function vipSelectorProblem(selector: Selector, models: string[]): string | undefined {
  const exact = ['hardwareAddr', 'permanentAddr', 'busPath'].some((k) => typeof selector[k] === 'string' && !(selector[k] as string).includes('*'));
  if (exact) return undefined;
  const picks = models.map((model) => {
    const nic = NIC_MODELS[model];
    if (!nic) return true; // an unknown model: assume the worst
    if (typeof selector.driver === 'string' && !glob(selector.driver, nic.driver)) return false;
    if (typeof selector.pciID === 'string' && !glob(selector.pciID, nic.pciID)) return false;
    if (selector.physical === false) return false;
    return true; // physical: true, and wildcard MACs or bus paths, match any of them
  });
  const picked = picks.flatMap((p, i) => (p ? [`net${i}`] : []));
  const describe = (i: number) => `net${i} (${models[i]}: driver ${NIC_MODELS[models[i]]?.driver ?? '?'}${NIC_MODELS[models[i]]?.pciID ? `, PCI ID ${NIC_MODELS[models[i]].pciID}` : ', no PCI ID'})`;
  const how = 'select net0 alone, e.g. {busPath: "0000:00:12.0"} (Proxmox puts net0 at PCI slot 0x12) or {hardwareAddr: ...}';
  if (picked.length === 0) {
    return `selects none of the VM's network devices (${models.map((_, i) => describe(i)).join('; ')}), so the endpoint VIP would never come up; ${how}`;
  }
  if (picked.length === 1 && picked[0] === 'net0') return undefined;
  if (!picks[0]) return `selects ${picked.join(', ')} but not net0, the machine network the endpoint is on; ${how}`;
  return `with ${models.length} network devices it selects ${picked.join(' and ')} (${picks.flatMap((p, i) => (p ? [describe(i)] : [])).join('; ')}), and Talos puts the endpoint VIP on every link a selector picks; ${how}`;
}

/** The NIC models of a cluster's machines, net0 first. */
export const nicModels = (m: Model): string[] => [m.proxmox.vm.model, ...(m.proxmox.vm.extraNetworkDevices ?? []).map((d) => d.model)];

/**
 * What a machine boots is its VM template's Talos, not talosImage: a clone of a Talos disk image runs the
 * image's version (Talos installs nothing once installed; talosImage is only what a later upgrade would
 * install), and a clone that boots an installer ISO reads its config with the ISO's Talos before it
 * installs talosImage (an older ISO refuses the documents of a newer config). So a Talos upgrade is a
 * talosImage edit together with templates of the new version. A template may say which Talos it holds
 * (template.talosVersion); then talosImage must name that version.
 */
import type { Model } from './parse';
import { parseMinor } from './versions';
import { error, warning, type Problem } from '../results';

/** The full Talos version a `…:vX.Y.Z` installer image tag names. */
export function talosReleaseOfImage(image: string): string | undefined {
  const m = /:(v\d+\.\d+\.\d+)[^:/]*$/.exec(image);
  return m ? m[1] : undefined;
}

type Template = { sourceNode: string; templateID: number; talosVersion?: string };

export function checkTemplateTalos(m: Model): Problem[] {
  const image = talosReleaseOfImage(m.cluster.talosImage);
  if (!image) return [];
  const templates: Array<[string, Template | undefined]> = [
    ['spec.proxmox.template', m.proxmox.template],
    ['spec.controlPlane.template', m.controlPlane.template],
    ...m.workers.map((w, i): [string, Template | undefined] => [`spec.workers[${i}].template`, w.template]),
  ];
  const out: Problem[] = [];
  for (const [path, t] of templates) {
    if (!t?.talosVersion || t.talosVersion === image) continue;
    const a = parseMinor(t.talosVersion)!;
    const b = parseMinor(image)!;
    const where = `VM template ${t.sourceNode}/${t.templateID}`;
    if (a.major !== b.major || a.minor !== b.minor) {
      out.push(
        error(
          `${path}.talosVersion`,
          `the ${where} boots Talos ${t.talosVersion} but talosImage is ${image}: a machine cloned from a disk image would run ${t.talosVersion}, and an installer ISO of ${t.talosVersion} cannot read a v${b.major}.${b.minor} config; point this template at one that holds Talos ${image} (and set its talosVersion) in the same commit as talosImage`,
        ),
      );
    } else {
      out.push(
        warning(
          `${path}.talosVersion`,
          `the ${where} boots Talos ${t.talosVersion} and talosImage is ${image}: machines cloned from a disk image run ${t.talosVersion} (talosImage is only what a later talosctl upgrade installs); from an installer ISO they install ${image}`,
        ),
      );
    }
  }
  return out;
}

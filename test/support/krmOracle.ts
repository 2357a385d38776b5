/**
 * What must hold for any answer of the function to any input, judged from the outside: the input read
 * with yaml on its own, the output parsed back. Used by the hostile-input, property and fuzz tests.
 */
import { isDeepStrictEqual } from 'node:util';
import { isMap, parseAllDocuments, parseDocument } from 'yaml';
import type { RunOutput } from '../../src/krm/run';

const READ = { version: '1.1', uniqueKeys: false, logLevel: 'error' } as const;
type Obj = Record<string, any>;

/** The output ResourceList as data; throws (failing the test) when it is not one parseable YAML ResourceList. */
export function parseAnswer(out: RunOutput): Obj {
  const docs = parseAllDocuments(out.stdout, READ);
  const list = Array.isArray(docs) ? docs : [];
  if (list.length !== 1) throw new Error(`stdout holds ${list.length} YAML documents:\n${out.stdout.slice(0, 2000)}`);
  if (list[0].errors.length) throw new Error(`stdout is not valid YAML: ${list[0].errors[0].message}\n${out.stdout.slice(0, 4000)}`);
  const rl = list[0].toJS({ maxAliasCount: -1 }) as Obj;
  if (rl?.kind !== 'ResourceList' || !Array.isArray(rl.items)) throw new Error(`stdout is not a ResourceList:\n${out.stdout.slice(0, 2000)}`);
  return rl;
}

const annotation = (o: unknown, key: string) => (o as Obj | null)?.metadata?.annotations?.[key];
const BOOKKEEPING = /^(internal\.config\.kubernetes\.io\/|config\.k8s\.io\/id$|config\.kubernetes\.io\/index$)/;
function withoutBookkeeping(o: unknown): unknown {
  const md = (o as Obj | null)?.metadata;
  if (!md || typeof md.annotations !== 'object' || md.annotations === null) return o;
  const annotations = Object.fromEntries(Object.entries(md.annotations).filter(([k]) => !BOOKKEEPING.test(k)));
  const { annotations: _, ...rest } = md;
  return { ...(o as Obj), metadata: Object.keys(annotations).length ? { ...rest, annotations } : rest };
}

/** kustomize's echo of the functionConfig: no file, local-config, and otherwise the functionConfig itself. */
function isEcho(item: unknown, fc: unknown): boolean {
  if (annotation(item, 'internal.config.kubernetes.io/path') !== undefined || annotation(item, 'config.kubernetes.io/path') !== undefined) return false;
  return annotation(item, 'config.kubernetes.io/local-config') === 'true' && isDeepStrictEqual(withoutBookkeeping(item), withoutBookkeeping(fc));
}

/**
 * The answer is sound: exit 0 or 1, a parseable ResourceList on stdout; on failure an error result and an
 * `[error]` line on stderr; on success every input item is in the output, in order and meaning the same,
 * except this ClusterSpec's earlier output and kustomize's exact echo, followed only by fresh objects
 * of this ClusterSpec. Returns the parsed answer.
 */
export function expectSoundAnswer(input: string, out: RunOutput): Obj {
  if (out.stderr.includes('internal error')) throw new Error(`internal error: ${out.stderr}`);
  if (out.exitCode !== 0 && out.exitCode !== 1) throw new Error(`exit code ${out.exitCode}`);
  const rl = parseAnswer(out);
  if (out.exitCode === 1) {
    if (!(rl.results ?? []).some((r: Obj) => r.severity === 'error')) throw new Error(`exit 1 without an error result:\n${out.stdout.slice(0, 2000)}`);
    if (!/^\[error\] /m.test(out.stderr)) throw new Error(`exit 1 without an [error] line on stderr: ${out.stderr.slice(0, 500)}`);
    return rl;
  }
  if ((rl.results ?? []).some((r: Obj) => r.severity === 'error')) throw new Error('exit 0 with an error result');
  const doc = parseAllDocuments(input, READ) as ReturnType<typeof parseDocument>[];
  const given = doc.find((d) => isMap(d.contents))!.toJS({ maxAliasCount: -1 }) as Obj;
  const fc = given.functionConfig;
  const mine = `ClusterSpec/${fc?.metadata?.namespace ? `${fc.metadata.namespace}/` : ''}${fc?.metadata?.name ?? fc?.spec?.cluster?.name ?? 'cluster09'}`;
  const expected = ((given.items ?? []) as unknown[]).filter((i) => annotation(i, 'capi-proxmox-talos.dev/generated-from') !== mine && !isEcho(i, fc));
  const kept = rl.items.slice(0, expected.length);
  const fresh = rl.items.slice(expected.length);
  expect(kept).toStrictEqual(expected);
  for (const o of fresh) expect(annotation(o, 'capi-proxmox-talos.dev/generated-from')).toBe(mine);
  return rl;
}

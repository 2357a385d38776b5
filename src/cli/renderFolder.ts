/**
 * `render DIR`: a cluster folder whose kustomization holds only ClusterSpecs (as generators), rendered by the
 * function itself, without kustomize: the same objects kustomize's exec generator gets from it (kustomize
 * then sorts them and writes its own YAML style; the objects are equal). A kustomization that asks for
 * anything else (resources, patches, other generators, a namespace, ...) needs kustomize: exit code 3, so a
 * script can fall back to it.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readDocuments } from '../krm/documents';
import { generate } from '../generate';
import { boundResults, formatResult, hasErrors, type Result } from '../results';
import { KIND } from '../clusterspec/schema';
import { toYAML } from '../yaml/write';
import type { ReadText } from './inputs';

/** Exit code of `render DIR` when the folder needs kustomize (documented in `render --help`). */
export const NEEDS_KUSTOMIZE = 3;

/** Keys a kustomization may hold and still be rendered without kustomize. */
const PLAIN_KEYS = new Set(['apiVersion', 'kind', 'generators']);
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Out = { stdout: string; stderr: string; exitCode: number };
const needsKustomize = (dir: string, why: string): Out => ({
  stdout: '',
  stderr: `[error] ${dir}: ${why}: this folder needs kustomize (kustomize build --enable-alpha-plugins --enable-exec ${dir})\n`,
  exitCode: NEEDS_KUSTOMIZE,
});
const failed = (message: string): Out => ({ stdout: '', stderr: `[error] ${message}\n`, exitCode: 1 });

export function renderFolder(dir: string, read: ReadText): Out {
  const file = KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) return failed(`${dir}: no kustomization.yaml here; render takes a ClusterSpec file, or a folder whose kustomization lists ClusterSpecs under generators:`);
  const docs = readDocuments(read(file));
  if (docs.error !== undefined) return failed(`${file}: ${docs.error}`);
  if (docs.values.length !== 1 || !isObj(docs.values[0])) return failed(`${file}: expected one kustomization (a mapping)`);
  const k = docs.values[0];
  const other = Object.keys(k).filter((key) => !PLAIN_KEYS.has(key));
  if (other.length) return needsKustomize(dir, `its kustomization has ${other.map((o) => `${o}:`).join(', ')}`);
  const generators = k.generators ?? [];
  if (!Array.isArray(generators) || !generators.length || generators.some((g) => typeof g !== 'string')) return failed(`${file}: generators: must list the ClusterSpec files`);
  const objects: unknown[] = [];
  const results: Result[] = [];
  for (const g of generators as string[]) {
    const path = join(dir, g);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(g) || (existsSync(path) && statSync(path).isDirectory())) return needsKustomize(dir, `generator ${g} is not a file`);
    const d = readDocuments(read(path));
    if (d.error !== undefined) return failed(`${path}: ${d.error}`);
    // kustomize runs no generator for an empty file and builds nothing: a cluster would vanish from the render
    // (and Flux would prune it). Deleting a cluster is removing its folder, never emptying its spec.
    if (!d.values.length) return failed(`${path} holds no ClusterSpec (an empty or emptied file): to delete a cluster, remove its folder`);
    const notSpec = d.values.findIndex((v) => !isObj(v) || v.kind !== KIND);
    if (notSpec >= 0) return needsKustomize(dir, `generator ${g} holds ${isObj(d.values[notSpec]) && typeof d.values[notSpec].kind === 'string' ? `a ${d.values[notSpec].kind}` : 'something'} that is not a ClusterSpec`);
    for (const spec of d.values) {
      const r = generate(spec, { configFile: path });
      results.push(...boundResults(r.results));
      objects.push(...r.objects);
    }
  }
  const stderr = results.map((r) => `${formatResult(r)}\n`).join('');
  if (hasErrors(results)) return { stdout: '', stderr, exitCode: 1 };
  return { stdout: objects.map((o) => `---\n${toYAML(o)}`).join(''), stderr, exitCode: 0 };
}

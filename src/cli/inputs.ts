/**
 * The files a command argument names: standard input (-), one file, or a folder (every .yaml and .yml file
 * under it, in path order, hidden files and folders such as .git left out). Paths are kept as given, so
 * messages name the file the user can open.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SideFile } from './diff';

/** How the process edge reads one file's text (UTF-8 checked there). */
export type ReadText = (file: string) => string;

/** At most this many files under one folder: a folder of a whole disk is a mistake, not a render. */
export const MAX_FILES = 10000;

function yamlFiles(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    const isDir = e.isDirectory() || (e.isSymbolicLink() && statSync(p).isDirectory());
    if (isDir) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
    if (out.length > MAX_FILES) throw new TooMany(`${dir}: more than ${MAX_FILES} YAML files; name the folder that holds the render`);
  }
}

export class TooMany extends Error {}

export function readSide(arg: string, read: ReadText): SideFile[] {
  if (arg !== '-' && statSync(arg).isDirectory()) {
    const files: string[] = [];
    yamlFiles(arg, files);
    return files.map((path) => ({ path, text: read(path) }));
  }
  return [{ text: read(arg) }];
}

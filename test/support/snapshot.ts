/**
 * The repository as a clone would get it, for the tests that run the docs' commands from a fresh clone:
 * this checkout's tracked files (uncommitted edits included, so a change is tested before its commit),
 * committed into a new repository that stands in for `<repository-url>`.
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, git } from './exec';

export function snapshotOfCheckout(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const tracked = git(REPO, 'ls-files', '-z').stdout.split('\0').filter((f) => f && existsSync(join(REPO, f)));
  for (const f of tracked) cpSync(join(REPO, f), join(dir, f), { recursive: true });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'snapshot');
  return dir;
}

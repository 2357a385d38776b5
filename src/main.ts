#!/usr/bin/env node
/**
 * Process edge: argv, stdin, stdout, stderr, exit code. Everything below it is a pure function.
 * Commands other than the KRM path are loaded on demand, so a function run pays only for what it uses.
 */
import { readFileSync, writeSync } from 'node:fs';
import { runKRM } from './krm/run';
import { decodeUTF8 } from './utf8';

const VERSION = process.env.CPT_VERSION_OVERRIDE ?? '0.1.0';

class NotText extends Error {}

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file === '-' ? 0 : file);
  } catch (e) {
    (e as NodeJS.ErrnoException).path ??= file === '-' ? 'standard input' : file; // EISDIR, for one, names no path
    throw e;
  }
}

/** A file's text; bytes that are not UTF-8 are the user's to fix, not replaced. */
function readInput(file: string): string {
  const d = decodeUTF8(readBytes(file));
  if (d.error !== undefined) throw new NotText(`${file === '-' ? 'standard input' : file}: ${d.error}`);
  return d.text;
}

/**
 * A reader that went away (`render … | head -1`) wants nothing more: end quietly. Any other failure to
 * write (a full disk: ENOSPC) is one line on stderr and exit 1, never Node's stack trace.
 */
let writeFailed = false;
function onWriteError(e: NodeJS.ErrnoException, name: string) {
  if (writeFailed) return;
  writeFailed = true;
  if (e.code === 'EPIPE') process.exit();
  if (name === 'standard output') {
    try {
      writeSync(2, `[error] cannot write ${name}: ${e.code ?? e.message}\n`);
    } catch {
      // stderr is gone too: the exit code is all that is left
    }
  }
  process.exit(1);
}
process.stdout.on('error', (e) => onWriteError(e, 'standard output'));
process.stderr.on('error', (e) => onWriteError(e, 'standard error'));

function finish(out: { stdout: string; stderr: string; exitCode: number }): never {
  if (out.stdout) process.stdout.write(out.stdout);
  if (out.stderr) process.stderr.write(out.stderr);
  process.exitCode = out.exitCode;
  // Let the streams drain instead of cutting them off with process.exit().
  return undefined as never;
}

function main(argv: string[]): void {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return finish(runKRM(readBytes('-')));
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') return finish({ stdout: require('./cli/help').HELP, stderr: '', exitCode: 0 });
  if (cmd === '--version') return finish({ stdout: `${VERSION}\n`, stderr: '', exitCode: 0 });
  const usage = (msg: string) => finish({ stdout: '', stderr: `${msg}\nRun capi-proxmox-talos --help for usage.\n`, exitCode: 2 });
  switch (cmd) {
    case 'render':
      if (rest.length !== 1) return usage('render takes one FILE');
      return finish(require('./cli/render').render(readInput(rest[0]), rest[0]));
    case 'diff':
      if (rest.length !== 2) return usage('diff takes two files: OLD NEW');
      return finish(require('./cli/diff').diffCommand(readInput(rest[0]), readInput(rest[1])));
    case 'import-helm-values':
      if (rest.length !== 1) return usage('import-helm-values takes one values file');
      return finish(require('./cli/importHelm').importHelmValuesCommand(readInput(rest[0])));
    case 'schema':
      return finish({ stdout: `${JSON.stringify(require('./clusterspec/jsonSchema').clusterSpecJSONSchema(), null, 2)}\n`, stderr: '', exitCode: 0 });
    default:
      return usage(`unknown command "${cmd}"`);
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  // A failed system call (no such file, a directory, no permission, an unreadable device) is an I/O
  // problem the user can fix. Anything else is our bug, reported without a stack trace unless CPT_DEBUG is set.
  const msg = e instanceof NotText ? e.message : err.syscall && err.code ? `cannot read ${err.path ?? 'input'}: ${err.code}` : `internal error: ${err.message} (please report it; set CPT_DEBUG=1 for details)`;
  process.stderr.write(`[error] ${msg}\n`);
  if (process.env.CPT_DEBUG) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
}

#!/usr/bin/env node
/**
 * Process edge: argv, stdin, stdout, stderr, exit code. Everything below it is a pure function.
 * Commands other than the KRM path are loaded on demand, so a function run pays only for what it uses.
 */
import { readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { runKRM } from './krm/run';
import { decodeUTF8 } from './utf8';

const VERSION = process.env.CPT_VERSION_OVERRIDE ?? '0.1.0';

/** What a failed read means, in words (the system call's code is kept in brackets for searching). */
const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  EAGAIN: 'standard input is not ready (non-blocking)',
};

class NotText extends Error {}

/** Is `path` a folder? (Anything that cannot be read as one is left to the reader, which says why.) */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * All of standard input. readFileSync(0) gives up with EAGAIN when stdin is a non-blocking pipe with nothing
 * in it yet (a parent that set O_NONBLOCK, or a slow writer): wait for it instead, as a blocking read would.
 */
function readStdin(): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1 << 16);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 5);
      continue;
    }
    if (n === 0) return Buffer.concat(chunks);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
}

function readBytes(file: string): Buffer {
  try {
    return file === '-' ? readStdin() : readFileSync(file);
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

type Out = { stdout: string; stderr: string; exitCode: number };

function finish(out: Out): never {
  if (out.stdout) process.stdout.write(out.stdout);
  if (out.stderr) process.stderr.write(out.stderr);
  process.exitCode = out.exitCode;
  // Let the streams drain instead of cutting them off with process.exit().
  return undefined as never;
}

const COMMANDS: Record<string, { args: number; usage: string; run: (args: string[]) => Out }> = {
  render: { args: 1, usage: 'render takes one FILE or DIR', run: ([f]) => (f !== '-' && isDirectory(f) ? require('./cli/renderFolder').renderFolder(f, readInput) : require('./cli/render').render(readInput(f), f)) },
  diff: { args: -1, usage: 'diff takes two files or folders: OLD NEW', run: (args) => diff(args) },
  'import-helm-values': { args: 1, usage: 'import-helm-values takes one values file', run: ([f]) => require('./cli/importHelm').importHelmValuesCommand(readInput(f)) },
  schema: { args: 0, usage: 'schema takes no arguments', run: () => ({ stdout: `${JSON.stringify(require('./clusterspec/jsonSchema').clusterSpecJSONSchema(), null, 2)}\n`, stderr: '', exitCode: 0 }) },
};

const isHelp = (a: string) => a === '--help' || a === '-h';

/** `diff [options] OLD NEW`: its own options; OLD and NEW may be folders. */
function diff(args: string[]): Out {
  const { diffArguments, diffSides } = require('./cli/diff');
  const parsed = diffArguments(args);
  if (typeof parsed === 'string') return usageError(parsed, 'diff');
  const { readSide, TooMany } = require('./cli/inputs');
  try {
    return diffSides(readSide(parsed.paths[0], readInput), readSide(parsed.paths[1], readInput), parsed.options);
  } catch (e) {
    if (e instanceof TooMany) return { stdout: '', stderr: `[error] ${(e as Error).message}\n`, exitCode: 1 };
    throw e;
  }
}

function help(topic?: string): Out {
  const { HELP, COMMAND_HELP } = require('./cli/help');
  if (topic === undefined) return { stdout: HELP, stderr: '', exitCode: 0 };
  if (COMMAND_HELP[topic]) return { stdout: COMMAND_HELP[topic], stderr: '', exitCode: 0 };
  return usageError(unknownCommand(topic));
}

function unknownCommand(cmd: string): string {
  const meant: string | undefined = require('./suggest').closest(cmd, [...Object.keys(COMMANDS), 'help']);
  return `unknown command "${cmd}"${meant ? `; did you mean "${meant}"?` : ''}`;
}

const usageError = (msg: string, cmd?: string): Out => ({
  stdout: '',
  stderr: `[error] ${msg}\nRun capi-proxmox-talos ${cmd ? `${cmd} ` : ''}--help for usage.\n`,
  exitCode: 2,
});

function main(argv: string[]): Out {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) {
    if (process.stdin.isTTY) {
      const note = 'capi-proxmox-talos reads a KRM ResourceList on standard input (that is how kpt and kustomize run it), and standard input is a terminal.\nTo render a ClusterSpec file: capi-proxmox-talos render FILE\n\n';
      return { stdout: '', stderr: note + require('./cli/help').HELP, exitCode: 2 };
    }
    return runKRM(readBytes('-'));
  }
  if (isHelp(cmd)) return help();
  if (cmd === '--version') return { stdout: `${VERSION}\n`, stderr: '', exitCode: 0 };
  if (cmd === 'help') return rest.length > 1 ? usageError('help takes at most one COMMAND', 'help') : help(rest[0]);
  const command = COMMANDS[cmd];
  if (!command) return usageError(unknownCommand(cmd));
  if (rest.some(isHelp)) return help(cmd);
  if (command.args < 0) return command.run(rest);
  const option = rest.find((a) => a.startsWith('-') && a !== '-');
  if (option) return usageError(`${cmd}: unknown option ${option}`, cmd);
  if (rest.length !== command.args) return usageError(command.usage, cmd);
  return command.run(rest);
}

try {
  finish(main(process.argv.slice(2)));
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  // A failed system call (no such file, a directory, no permission, an unreadable device) is an I/O
  // problem the user can fix. Anything else is our bug, reported without a stack trace unless CPT_DEBUG is set.
  const msg =
    e instanceof NotText
      ? e.message
      : err.syscall && err.code
        ? `cannot read ${err.path ?? 'input'}: ${READ_ERRORS[err.code] ?? err.message.replace(/^\w+: /, '')} (${err.code})`
        : `internal error: ${err.message} (please report it; set CPT_DEBUG=1 for details)`;
  process.stderr.write(`[error] ${msg}\n`);
  if (process.env.CPT_DEBUG) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
}

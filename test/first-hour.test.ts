/**
 * A Flux user's first hour (issue 23, "Done when"): docs/getting-started.md, steps 1 to 3 (everything before
 * the step that needs a management cluster), run as one shell script built from the guide's own command
 * blocks and files, in document order, on a machine with no Go, kpt, kustomize, podman or sudo on PATH, with
 * a HOME of its own, as a user who is not root, installing into $HOME/.local/bin. Twice, once for each
 * install the guide offers:
 *  - from a clone with Node 20+ (`git clone`, `npm ci && npm run build`, `scripts/install.sh`);
 *  - from a release archive, with Node also off PATH: the standalone executable must be all it takes.
 * What a test cannot do is stood in for, here and nowhere else:
 *  - `<repository-url>` is a snapshot of this checkout's tracked files (test/support/snapshot.ts);
 *  - `npm ci` links this checkout's node_modules (installed by `npm ci` from the same package-lock.json,
 *    which is checked to be identical) instead of downloading them;
 *  - `<release-url>` is a file:// URL of the release that `scripts/release.sh` makes in the first run's
 *    clone (for this machine's architecture only; the other one needs its Bun fetched);
 *  - the user's git identity comes from GIT_AUTHOR_* / GIT_COMMITTER_* (a real user has ~/.gitconfig);
 *  - the files the guide shows are written with a here-document where the user would use an editor.
 * test/docs-commands.test.ts lists the guide's commands as covered here.
 */
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO, git, run } from './support/exec';
import { snapshotOfCheckout } from './support/snapshot';
import { BUILD_AND_TEST_TOOLS, NODE, systemPathWithout } from './support/systemPath';

const GUIDE = readFileSync(join(REPO, 'docs', 'getting-started.md'), 'utf8');
const STOP = '\n## 4. The management cluster\n';
const ARCH = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];

/** The guide up to the step that needs a management cluster, as shell: its sh blocks, and its files written where it shows them. */
function guideScript(): { script: string; installs: { release: string; clone: string } } {
  expect(GUIDE.indexOf(STOP)).toBeGreaterThan(0); // the step this test stops before
  const lines = GUIDE.slice(0, GUIDE.indexOf(STOP)).split('\n');
  const parts: string[] = [];
  const installs = { release: '', clone: '' };
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    const body = lines.slice(i + 1, end).join('\n');
    if (open[1] === 'sh') {
      if (body.startsWith('curl ')) parts.push((installs.release = body));
      else if (body.startsWith('git clone ')) parts.push((installs.clone = body));
      else parts.push(body);
    } else if (open[1] === 'yaml') {
      // A file the guide shows: "`path/to/file` (…):" on the paragraph before it.
      const named = lines.slice(0, i).reverse().find((l) => l.trim() !== '');
      const path = /^`([^`]+)`(?: \([^)]*\))?:$/.exec(named ?? '')?.[1];
      if (path) parts.push(`mkdir -p "$(dirname '${path}')" && cat > '${path}' <<'GUIDE_FILE_EOF'\n${body}\nGUIDE_FILE_EOF`);
    }
    i = end;
  }
  expect(installs.release && installs.clone).toBeTruthy(); // the guide still offers both installs
  return { script: parts.join('\n'), installs };
}

const asUser = process.getuid?.() === 0; // run as nobody when the tests run as root
const UID = 65534;

describe('docs/getting-started.md, steps 1 to 3, as written, with no Go, kpt or podman and no root', () => {
  const work = mkdtempSync(join(tmpdir(), 'cpt-first-hour-'));
  const { script, installs } = guideScript();
  const release = join(work, 'clone-user', 'capi-proxmox-talos', 'dist', 'release');
  const outcome: Record<string, { status: number; stdout: string; stderr: string; home: string }> = {};

  /** One user's first hour: the guide's script in their own HOME, with their PATH. */
  function firstHour(name: string, withNode: boolean, skip: string) {
    const home = join(work, name);
    mkdirSync(home);
    if (asUser) chownSync(home, UID, UID);
    const PATH = `${home}/.local/bin:${systemPathWithout(withNode ? BUILD_AND_TEST_TOOLS : [...BUILD_AND_TEST_TOOLS, ...NODE])}`;
    const prelude = [
      'set -euo pipefail',
      // The machine this is about: none of these, and not root.
      `for t in go kpt kustomize podman sudo ${withNode ? '' : 'node npm'}; do if command -v "$t" >/dev/null; then echo "first-hour: $t is on PATH" >&2; exit 99; fi; done`,
      '[ "$(id -u)" != 0 ] || { echo "first-hour: running as root" >&2; exit 99; }',
      `npm() { if [ "$1" = ci ]; then cmp -s package-lock.json ${REPO}/package-lock.json && rm -rf node_modules && ln -s ${REPO}/node_modules node_modules; else command npm "$@"; fi; }`,
      '',
    ].join('\n');
    const body = script
      .replace(skip, '')
      .replaceAll('<repository-url>', join(work, 'snapshot'))
      .replaceAll('<release-url>', `file://${release}`)
      .replace(/linux-amd64\.tar\.gz/g, `linux-${ARCH}.tar.gz`);
    const env = {
      HOME: home,
      PATH,
      GIT_AUTHOR_NAME: 'New User',
      GIT_AUTHOR_EMAIL: 'new.user@example.com',
      GIT_COMMITTER_NAME: 'New User',
      GIT_COMMITTER_EMAIL: 'new.user@example.com',
      CAPI_PROXMOX_TALOS: '',
      KUSTOMIZE: '',
      CPT_INSTALL_DIR: '',
    };
    const cmd = asUser ? ['setpriv', ['--reuid', `${UID}`, '--regid', `${UID}`, '--clear-groups', 'bash', '-c', prelude + body]] : ['bash', ['-c', prelude + body]];
    const r = run(cmd[0] as string, cmd[1] as string[], { cwd: home, env });
    outcome[name] = { ...r, home };
  }

  beforeAll(() => {
    chmodSync(work, 0o755);
    snapshotOfCheckout(join(work, 'snapshot'));
    if (asUser) run('chown', ['-R', `${UID}:${UID}`, join(work, 'snapshot')]);
    firstHour('clone-user', true, installs.release);
    // The release the second user downloads, made where the project makes it: in a built clone.
    const home = outcome['clone-user'].home;
    if (outcome['clone-user'].status === 0) {
      const r = run(asUser ? 'setpriv' : 'bash', [...(asUser ? ['--reuid', `${UID}`, '--regid', `${UID}`, '--clear-groups', 'bash'] : []), 'scripts/release.sh', ARCH], {
        cwd: join(home, 'capi-proxmox-talos'),
        env: { HOME: home, PATH: systemPathWithout(BUILD_AND_TEST_TOOLS) },
      });
      if (r.status !== 0) throw new Error(`release.sh failed:\n${r.stderr}`);
      firstHour('release-user', false, installs.clone);
    }
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const expectOk = (name: string) => {
    const r = outcome[name];
    if (!r || r.status !== 0) throw new Error(`the guide failed for ${name} (exit ${r?.status}):\n${r?.stdout}\n${r?.stderr}`);
    return r;
  };

  describe.each([
    ['clone-user', 'installed from a clone, with Node'],
    ['release-user', 'installed from the release archive, with no Node on PATH'],
  ])('%s (%s)', (name) => {
    test('the guide runs to the end of step 3, and install.sh had nothing to say about PATH', () => {
      const r = expectOk(name);
      expect(r.stderr).not.toMatch(/is not on your PATH|comes first on your PATH/); // ~/.local/bin is on this user's PATH
      expect(r.stdout).toMatch(new RegExp(`^installed capi-proxmox-talos \\d+\\.\\d+\\.\\d+ \\(standalone, linux/${ARCH}\\) as ${outcome[name].home}/\\.local/bin/capi-proxmox-talos$`, 'm'));
    });

    test('the installed function is the standalone executable, in ~/.local/bin, owned by the user', () => {
      const file = join(outcome[name].home, '.local', 'bin', 'capi-proxmox-talos');
      expect(readFileSync(file).subarray(0, 4).toString('latin1')).toBe('\x7fELF'); // not the Node build, which needs Node
      if (asUser) expect(lstatSync(file).uid).toBe(UID);
    });

    test('render.sh wrote rendered/lab.yaml: exactly the objects of the guide\'s spec, and printed the plan (create) for the render and the gate', () => {
      const r = expectOk(name);
      const repo = join(outcome[name].home, 'clusters');
      expect(readdirSync(join(repo, 'rendered'))).toEqual(['lab.yaml']);
      // What this checkout's function renders for the spec the guide shows: a stale or wrong render differs.
      expect(readFileSync(join(repo, 'rendered', 'lab.yaml'), 'utf8')).toBe(run(BIN, ['render', join(repo, 'clusters', 'lab')]).stdout);
      expect(r.stdout.match(/^cluster lab\/lab: create$/gm)).toHaveLength(2); // render.sh, then render.sh --check
      expect(r.stdout).toMatch(/^0\.\d+\.\d+$/m); // capi-proxmox-talos --version
    });

    test('one commit holds the spec, its render, render.sh and the schema; the gate\'s check changed nothing', () => {
      expectOk(name);
      const repo = join(outcome[name].home, 'clusters');
      // git refuses a repository another user owns: read it as its owner would
      const g = (...args: string[]) => git(repo, '-c', `safe.directory=${repo}`, ...args).stdout;
      expect(g('rev-list', '--count', 'HEAD').trim()).toBe('1');
      expect(g('ls-tree', '-r', '--name-only', 'HEAD').trim().split('\n').sort()).toEqual(['clusters/lab/cluster.yaml', 'clusters/lab/kustomization.yaml', 'clusterspec.schema.json', 'render.sh', 'rendered/lab.yaml']);
      expect(g('status', '--porcelain')).toBe('');
      expect(readFileSync(join(repo, 'clusterspec.schema.json'), 'utf8')).toBe(readFileSync(join(REPO, 'schema', 'clusterspec.schema.json'), 'utf8'));
      // the spec's $schema line points, from the spec, at the schema the guide saved
      const schemaLine = /\$schema=(\S+)/.exec(readFileSync(join(repo, 'clusters', 'lab', 'cluster.yaml'), 'utf8'))![1];
      expect(existsSync(join(repo, 'clusters', 'lab', schemaLine))).toBe(true);
    });
  });

  test('the release archive unpacks like a built clone: install.sh, render.sh, the schema, both builds of the function', () => {
    expectOk('release-user');
    const unpacked = join(outcome['release-user'].home, 'capi-proxmox-talos');
    for (const f of ['scripts/install.sh', 'examples/flux/render.sh', 'schema/clusterspec.schema.json', 'docs/getting-started.md', 'dist/capi-proxmox-talos', `dist/capi-proxmox-talos-standalone-linux-${ARCH}`]) expect([f, existsSync(join(unpacked, f))]).toEqual([f, true]);
    expect(readFileSync(join(release, 'SHA256SUMS'), 'utf8')).toMatch(new RegExp(`^[0-9a-f]{64}  capi-proxmox-talos-linux-${ARCH}\\.tar\\.gz\\n$`));
  });

  test('the build, the install and the release leave the clone clean: they write only into git-ignored dist/ and node_modules', () => {
    expectOk('clone-user');
    const clone = join(outcome['clone-user'].home, 'capi-proxmox-talos');
    expect(git(clone, '-c', `safe.directory=${clone}`, 'status', '--porcelain').stdout).toBe('');
  });
});

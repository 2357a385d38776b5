/**
 * The Dockerfile's image (the standalone executable on a glibc-only base), run the three ways users run
 * container functions: plainly (as kpt and kustomize do: stdin, no network, nobody), `kpt fn eval --image`
 * and a kustomize `container:` generator. Base images cannot be pulled here, so scripts/container-images.sh
 * builds the Dockerfile on stand-ins assembled from this host, once per test run, from the dist/ built beside
 * it (DIST=prebuilt); its layers are cached under .tools/containers, so unchanged inputs rebuild nothing.
 * CPT_CONTAINER_FULL=1 also builds it the default way, npm ci and the build inside the container (that
 * needs the npm registry, as npm ci does, and minutes). Requires podman (scripts/setup-tools.sh installs it);
 * CPT_NO_CONTAINER=1 opts out explicitly.
 */
import { mkdtempSync, writeFileSync, readFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KPT, KUSTOMIZE, REPO, run, packageCopy } from './support/exec';
import { SITE_FLOW } from './support/render';

const IMAGE = 'localhost/capi-proxmox-talos:dev';
const optOut = process.env.CPT_NO_CONTAINER === '1';
const full = process.env.CPT_CONTAINER_FULL === '1';
const suite = optOut ? describe.skip : describe;
const golden = (f: string, c = 'default') => readFileSync(join(REPO, 'testdata', 'golden', c, f), 'utf8');

suite('container image (podman)', () => {
  let env: Record<string, string> = {};
  beforeAll(() => {
    const built = run('bash', ['scripts/container-images.sh', ...(full ? ['--full'] : [])]);
    if (built.status !== 0) throw new Error(`building the image failed (exit ${built.status}): ${built.stderr}\nInstall podman (scripts/setup-tools.sh does as root) or set CPT_NO_CONTAINER=1.`);
    // What `eval "$(scripts/container-images.sh --env)"` leaves in a shell, as programs started from it see it.
    const seen = run('bash', ['-c', 'eval "$(bash scripts/container-images.sh --env)" && env']).stdout;
    env = Object.fromEntries(seen.split('\n').filter((l) => l.startsWith('CONTAINERS_')).map((l) => l.split('=', 2) as [string, string]));
    expect(Object.keys(env).sort()).toEqual(['CONTAINERS_CONF', 'CONTAINERS_STORAGE_CONF']);
  }, 300_000);

  test.each(['default', 'invalid-spec'])('runs as nobody with no network and gives the golden bytes and exit code (%s)', (c) => {
    const r = run('podman', ['run', '-i', '--rm', '--network', 'none', '--user', 'nobody', '--security-opt=no-new-privileges', IMAGE], { input: golden('input.yaml', c), env });
    expect(r.stdout).toBe(golden('expected.yaml', c));
    expect(r.stderr).toBe(golden('expected.stderr', c));
    expect(`${r.status}\n`).toBe(golden('exit-code', c));
  });

  (full ? test : test.skip)('the default build (npm ci and the build inside the container) gives the same bytes too', () => {
    const r = run('podman', ['run', '-i', '--rm', '--network', 'none', '--user', 'nobody', 'localhost/capi-proxmox-talos:full'], { input: golden('input.yaml'), env });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(golden('expected.yaml'));
  });

  test('image config: non-root user, the standalone executable as entrypoint, no shell, no node', () => {
    const inspect = JSON.parse(run('podman', ['image', 'inspect', IMAGE], { env }).stdout)[0];
    expect(inspect.Config.User).toBe('65532:65532');
    expect(inspect.Config.Entrypoint).toEqual(['/fn/capi-proxmox-talos']);
    expect(run('podman', ['run', '--rm', '--network', 'none', '--entrypoint', '/bin/sh', IMAGE, '-c', 'true'], { env }).status).not.toBe(0);
    // Every file in the image: the function, glibc's libraries and /etc; no node and no shell anywhere.
    const listing = run('bash', ['-c', `m=$(podman image mount ${IMAGE}) && (cd "$m" && find . -mindepth 1); s=$?; podman image umount ${IMAGE} >/dev/null; exit $s`], { env });
    expect(listing.status).toBe(0);
    const paths = listing.stdout.split('\n').filter(Boolean).map((p) => p.replace(/^\.\//, ''));
    expect(paths).toContain('fn/capi-proxmox-talos');
    expect(paths.filter((p) => /(^|\/)(node|nodejs|sh|bash|dash|busybox)$/.test(p))).toEqual([]);
    expect(run('podman', ['run', '--rm', '--network', 'none', IMAGE, '--help'], { env }).stdout).toMatch(/kind: ClusterSpec/); // what kpt fn doc shows
  });

  test('kpt fn doc shows the function\'s own description and config example', () => {
    const r = run(KPT, ['fn', 'doc', '--image', IMAGE], { env: { ...env, KPT_FN_RUNTIME: 'podman' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^capi-proxmox-talos — one ClusterSpec in/);
    expect(r.stdout).toMatch(/apiVersion: capi-proxmox-talos.dev\/v1alpha1\n\s+kind: ClusterSpec/);
  });

  test('kpt fn eval --image', () => {
    const pkg = packageCopy('kpt-eval');
    const r = run(KPT, ['fn', 'eval', pkg, '--image', IMAGE, '--fn-config', join(REPO, 'examples', 'kpt-eval', 'cluster.yaml')], { env: { ...env, KPT_FN_RUNTIME: 'podman' } });
    expect(r.status).toBe(0);
    expect(readFileSync(join(pkg, 'generated', 'cluster09.yaml'), 'utf8')).toContain('kind: TalosControlPlane');
  });

  test('kustomize container: generator (docker CLI shimmed to podman)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpt-kc-'));
    mkdirSync(join(dir, 'shim'));
    writeFileSync(join(dir, 'shim', 'docker'), '#!/bin/sh\nexec podman "$@"\n');
    chmodSync(join(dir, 'shim', 'docker'), 0o755);
    writeFileSync(join(dir, 'cluster.yaml'), `apiVersion: capi-proxmox-talos.dev/v1alpha1\nkind: ClusterSpec\nmetadata:\n  name: cluster09\n  annotations:\n    config.kubernetes.io/function: |\n      container:\n        image: ${IMAGE}\nspec: {${SITE_FLOW}}\n`);
    writeFileSync(join(dir, 'kustomization.yaml'), 'generators: [cluster.yaml]\n');
    const r = run(KUSTOMIZE, ['build', '--enable-alpha-plugins', dir], { env: { ...env, PATH: `${join(dir, 'shim')}:${process.env.PATH}` } });
    expect(r.status).toBe(0);
    expect(r.stdout.match(/^kind: /gm)).toHaveLength(8);
  });
});

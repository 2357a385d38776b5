/** The published JSON Schema is derived from the zod schema and committed; it must never be stale. */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { clusterSpecJSONSchema } from '../src/clusterspec/jsonSchema';
import { generate } from '../src/generate';

const committed = JSON.parse(readFileSync(join(__dirname, '..', 'schema', 'clusterspec.schema.json'), 'utf8'));

test('schema/clusterspec.schema.json is current (npm run build regenerates it)', () => {
  expect(committed).toEqual(clusterSpecJSONSchema());
});

test('editors using the schema accept the examples and flag a typo', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(committed);
  const specs = execFileSync('git', ['ls-files', '*.yaml'], { cwd: join(__dirname, '..'), encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.startsWith('testdata/') && /^kind: ClusterSpec$/m.test(readFileSync(join(__dirname, '..', f), 'utf8')));
  expect(specs.length).toBeGreaterThanOrEqual(6);
  for (const f of specs) {
    const text = readFileSync(join(__dirname, '..', f), 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=/m);
    expect(validate(parse(text))).toBe(true);
  }
  expect(validate({ apiVersion: 'capi-proxmox-talos.dev/v1alpha1', kind: 'ClusterSpec', spec: { network: { gatway: 'x' } } })).toBe(false);
});

test('functionconfig.yaml spells out exactly the defaults: with only its site values it renders the same objects', () => {
  const fc = parse(readFileSync(join(__dirname, '..', 'functionconfig.yaml'), 'utf8'));
  const { network: n, controlPlane: cp, proxmox: p } = fc.spec;
  const siteOnly = { network: { ipRanges: n.ipRanges, prefix: n.prefix, gateway: n.gateway, dnsServers: n.dnsServers }, controlPlane: { endpointIP: cp.endpointIP }, proxmox: { allowedNodes: p.allowedNodes, template: p.template } };
  const minimal = generate({ ...fc, spec: siteOnly });
  const full = generate(fc);
  expect(full.results.filter((r) => r.severity === 'error')).toEqual([]);
  expect(minimal.objects.length).toBeGreaterThan(0);
  expect(full.objects).toEqual(minimal.objects);
  // Every site value is marked as the user's own in the file.
  const text = readFileSync(join(__dirname, '..', 'functionconfig.yaml'), 'utf8');
  for (const key of ['name: cluster09 ', 'ipRanges:', 'prefix:', 'gateway:', 'dnsServers:', '  endpointIP:', 'allowedNodes:', 'sourceNode:', 'templateID:']) {
    expect(text.split('\n').find((l) => l.includes(key))).toMatch(/# yours/);
  }
});

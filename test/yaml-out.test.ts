/** Generated strings that some YAML reader would take for something else are quoted; others stay plain. */
import { parse } from 'yaml';
import fc from 'fast-check';
import { safePlain, toYAML } from '../src/yaml/write';

test.each(['on', 'yes', 'Y', 'n', 'NO', 'off', 'true', '~', 'null', '', '1_000', '0755', '0o17', '0x1F', '1e3', '.5', '+12', '2024-01-02', '12:30', '.inf', '<<'])('%p is quoted', (s) => {
  expect(safePlain(s)).toBe(false);
  const out = toYAML({ v: s });
  expect(out).toMatch(/^v: ["']/);
  for (const version of ['1.1', '1.2'] as const) expect(parse(out, { version }).v).toBe(s);
});

test.each(['virtio0', 'v1.32.0', '192.168.4.1', '10.244.0.0/16', 'cluster09', 'NoSchedule', 'true:NoSchedule'])('%p stays plain', (s) => {
  expect(toYAML({ v: s })).toBe(`v: ${s}\n`);
});

test('any string survives a round trip through both YAML versions', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[-+.0-9a-zA-Z:_~<]{0,8}$/)), (s) => {
      const out = toYAML({ v: s });
      expect(parse(out, { version: '1.1' }).v).toBe(s);
      expect(parse(out, { version: '1.2' }).v).toBe(s);
    }),
    { numRuns: 2000, seed: 7 },
  );
});

/**
 * The mutation check in `npm test`: scripts/mutation-check.mjs applies each deliberate bug (issue 21's,
 * and ones the suite before the meaning oracle missed) to a copy of src/ and runs the meaning oracle on
 * it; every bug must be caught and the unmutated copy must pass. Its output says which bug survived.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(__dirname, '..');

test('the meaning oracle catches every deliberate bug and passes the unmutated sources', () => {
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'mutation-check.mjs')], { cwd: REPO, encoding: 'utf8', env: { ...process.env, FC_RUNS: process.env.MUTATION_RUNS ?? '100' } });
  const report = `${r.stdout}${r.stderr}`;
  // Every line of the summary, so a failure shows which bug survived (or which target text is gone).
  expect({ status: r.status, report }).toEqual({ status: 0, report: expect.stringMatching(/mutation check: (\d+) of \1 mutations caught, unmutated copy passes/) });
}, 300000);

/**
 * `pnpm docs:api`: the HTML API reference of every entry point of every published package
 * (their `exports`), generated from the JSDoc by typedoc into `docs/api/` (git-ignored). Any
 * typedoc warning — a broken `{@link}`, a referenced type that is not exported — fails it.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiEntryPoints } from './api-entry-points';
import { buildApiReference } from './api-reference';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = join(root, 'docs/api');

const started = performance.now();
const entryPoints = apiEntryPoints(join(root, 'packages'));
rmSync(out, { recursive: true, force: true });
const report = await buildApiReference({
  entryPoints,
  tsconfig: join(root, 'tsconfig.json'),
  out,
  name: 'Pantheon API reference',
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (report.ok) {
  console.log(`docs:api: ${entryPoints.length} entry points documented in docs/api/ (${seconds}s)`);
} else {
  console.error(
    `docs:api: failed with ${report.problems.length} warnings or errors (warnings count as errors)`,
  );
  process.exitCode = 1;
}

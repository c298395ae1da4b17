/**
 * `pnpm docs:snippets [file.md …]`: type-checks every ```ts block of the docs and READMEs (or of
 * the markdown files named) against the packages' sources; see CONTRIBUTING.md. Prints each
 * error as `file:line:column - error TS…` and exits non-zero when there is one.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { documentationFiles } from './documentation-files';
import { extractSnippets, SnippetMarkerError } from './markdown-snippets';
import { checkSnippets, formatDiagnostic, packageDirectories } from './snippet-check';

const root = fileURLToPath(new URL('../..', import.meta.url));
const started = performance.now();
const named = process.argv.slice(2).map((file) => relative(root, resolve(file)));
const files = named.length > 0 ? named : documentationFiles(root);

try {
  const snippets = files.flatMap((file) =>
    extractSnippets(readFileSync(join(root, file), 'utf8'), file),
  );
  const report = checkSnippets(snippets, {
    root,
    tsconfig: join(root, 'tsconfig.json'),
    dependencyRoots: packageDirectories(join(root, 'packages')),
    declarations: [join(root, 'docs-check/snippet-globals.ts')],
  });
  for (const diagnostic of report.diagnostics) console.error(formatDiagnostic(diagnostic, root));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `docs:snippets: ${snippets.length} TypeScript blocks in ${files.length} files: ${report.checked} type-checked, ${report.partial} partial (imports only); ${report.diagnostics.length} errors (${seconds}s)`,
  );
  if (report.diagnostics.length > 0) process.exitCode = 1;
} catch (error) {
  if (!(error instanceof SnippetMarkerError)) throw error;
  console.error(`docs:snippets: ${error.message}`);
  process.exitCode = 1;
}

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractSnippets } from './markdown-snippets';
import {
  checkSnippets,
  formatDiagnostic,
  packageDirectories,
  type SnippetReport,
} from './snippet-check';

const root = fileURLToPath(new URL('../..', import.meta.url));
const markdown = (...lines: string[]) => lines.join('\n');

// One program for every case (creating one costs seconds); each case is its own markdown file.
const fixtures: Record<string, string> = {
  'docs/renamed-option.md': markdown(
    '# Models', // 1
    '', // 2
    '```ts', // 3
    "import { llmBehavior } from '@promethean-os/pantheon-core';", // 4
    '', // 5
    "llmBehavior({ name: 'answer', maxStep: 8 });", // 6
    '```', // 7
  ),
  'docs/valid.md': markdown(
    '```ts',
    "import { llmBehavior } from '@promethean-os/pantheon-core';",
    "import { z } from 'zod';",
    '',
    'const Ticket = z.object({ urgent: z.boolean() });',
    "llmBehavior({ name: 'answer', maxSteps: 8, output: { schema: Ticket } });",
    '```',
  ),
  'docs/partial.md': markdown(
    '<!-- snippet: partial a fragment -->', // 1
    '```ts', // 2
    "import { llmBehavior } from '@promethean-os/pantheon-core';", // 3
    "import { MyAdapter } from './my-adapter';", // 4
    "llmBehavior({ name: 'answer', maxStep: 8, … });", // 5
    '```', // 6
    '', // 7
    '<!-- snippet: partial imports are still checked -->', // 8
    '```ts', // 9
    "import { llmBehaviour } from '@promethean-os/pantheon-core';", // 10
    'llmBehaviour(…);', // 11
    '```', // 12
  ),
  'docs/preamble.md': markdown(
    '<!-- snippet: preamble', // 1
    "import type { LlmPort } from '@promethean-os/pantheon-core';", // 2
    'declare const assistant: LlmPort;', // 3
    '-->', // 4
    '```ts', // 5
    "const reply = await assistant.complete([{ role: 'user', content: 'Hi' }]);", // 6
    'reply.content.toUpperCase();', // 7
    '```', // 8
    '<!-- snippet: preamble declare const count: Strin; -->', // 9
    '```ts', // 10
    'count;', // 11
    '```', // 12
  ),
  'docs/separate-modules.md': markdown(
    '```ts',
    'const shared = 1;',
    '```',
    '```ts',
    'const shared = 2;', // no redeclaration: each block is a module
    'shared + unknownName;', // line 6: not visible from the first block
    '```',
  ),
  'docs/globals.md': markdown(
    '```ts',
    "await assistantSystem.ask('triage', 'Hello');", // a shared stand-in
    '```',
    '```ts',
    'const assistantSystem = 42;', // shadows it
    'assistantSystem.toFixed(1);',
    '```',
  ),
};

let report: SnippetReport;
let globals: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'snippet-check-'));
  globals = join(dir, 'globals.ts');
  writeFileSync(
    globals,
    [
      "declare const assistantSystem: import('@promethean-os/pantheon-core').PantheonSystem;",
      "declare const renamedStandIn: import('@promethean-os/pantheon-core').PantheonSystm;",
      '',
    ].join('\n'),
  );
  const snippets = Object.entries(fixtures).flatMap(([file, text]) => extractSnippets(text, file));
  report = checkSnippets(snippets, {
    root,
    tsconfig: join(root, 'tsconfig.json'),
    dependencyRoots: packageDirectories(join(root, 'packages')),
    declarations: [globals],
  });
  return () => rmSync(dir, { recursive: true, force: true });
}, 120_000);

const diagnosticsOf = (file: string) =>
  report.diagnostics.filter((diagnostic) => diagnostic.file === file);

describe('checkSnippets', () => {
  it('fails a block with a renamed option, naming the file and the line in it', () => {
    const [diagnostic, ...others] = diagnosticsOf('docs/renamed-option.md');
    expect(others).toEqual([]);
    expect(diagnostic).toMatchObject({ file: 'docs/renamed-option.md', line: 6, column: 31 });
    expect(diagnostic?.message).toContain("'maxStep' does not exist in type 'LlmBehaviorOptions'");
    expect(formatDiagnostic(diagnostic!, root)).toMatch(
      /^docs\/renamed-option\.md:6:31 - error TS2561: /,
    );
  });

  it('passes a block that is right, importing a dependency of the packages (zod)', () => {
    expect(diagnosticsOf('docs/valid.md')).toEqual([]);
  });

  it('checks only the imports of a partial block, leaving out relative ones', () => {
    expect(diagnosticsOf('docs/partial.md')).toEqual([
      expect.objectContaining({
        line: 10,
        message: expect.stringContaining("has no exported member named 'llmBehaviour'"),
      }),
    ]);
  });

  it('checks a block with its preamble, and places an error in the preamble on its line', () => {
    expect(diagnosticsOf('docs/preamble.md')).toEqual([
      expect.objectContaining({
        line: 9,
        message: "Cannot find name 'Strin'. Did you mean 'String'?",
      }),
    ]);
  });

  it('checks each block as a module of its own', () => {
    expect(diagnosticsOf('docs/separate-modules.md')).toEqual([
      expect.objectContaining({ line: 6, message: "Cannot find name 'unknownName'." }),
    ]);
  });

  it('lets a block use the shared declarations, or shadow them with its own', () => {
    expect(diagnosticsOf('docs/globals.md')).toEqual([]);
  });

  it('reports an error in the shared declarations, so a stand-in never turns into any', () => {
    expect(diagnosticsOf(globals)).toEqual([
      expect.objectContaining({
        line: 2,
        message: expect.stringContaining("has no exported member 'PantheonSystm'"),
      }),
    ]);
  });

  it('counts the blocks checked whole and the partial ones', () => {
    expect(report.checked).toBe(8);
    expect(report.partial).toBe(2);
    expect(report.diagnostics).toHaveLength(5);
  });
});

describe('pnpm docs:snippets', () => {
  it('exits non-zero and prints file:line of a block that does not type-check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snippet-cli-'));
    try {
      const file = join(dir, 'guide.md');
      writeFileSync(file, fixtures['docs/renamed-option.md']!);
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(root, 'docs-check/src/check-snippets.ts'), file],
        { cwd: root, encoding: 'utf8' },
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/guide\.md:6:31 - error TS2561: .*'maxStep'/);
      expect(run.stdout).toContain('1 TypeScript blocks in 1 files: 1 type-checked, 0 partial');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

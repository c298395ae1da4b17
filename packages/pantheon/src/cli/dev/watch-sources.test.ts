import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type SourceWatch, watchSources } from './watch-sources';

let root: string;
let watch: SourceWatch | undefined;

afterEach(() => {
  watch?.close();
  rmSync(root, { recursive: true, force: true });
});

/** An app folder with sources, dependencies, git and a database; its watch's reports. */
function watched(debounceMs = 100) {
  root = mkdtempSync(join(tmpdir(), 'pantheon-watch-'));
  for (const dir of ['src/actors/a', 'node_modules/zod', '.git', 'data']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  writeFileSync(join(root, 'src/app.ts'), 'export default {};\n');
  const reports: string[][] = [];
  watch = watchSources(root, { debounceMs, onChange: (files) => reports.push(files) });
  return reports;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Lets any event of what was just written arrive and settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('watchSources', () => {
  it('reports a burst of changes once, with every changed source file', async () => {
    const reports = watched();
    writeFileSync(join(root, 'src/app.ts'), 'export default { actors: [] };\n');
    writeFileSync(join(root, 'src/actors/a/index.ts'), 'export {};\n');
    writeFileSync(join(root, 'pantheon.config.json'), '{}\n');
    await until(() => reports.length > 0, 'a report');
    await settle();
    expect(reports).toEqual([['pantheon.config.json', 'src/actors/a/index.ts', 'src/app.ts']]);
  });

  it('ignores tests, dependencies, hidden folders and data files', async () => {
    const reports = watched();
    writeFileSync(join(root, 'src/actors/a/a.test.ts'), 'test\n');
    writeFileSync(join(root, 'src/actors/a/notes.md'), 'notes\n');
    writeFileSync(join(root, 'node_modules/zod/index.js'), 'x\n');
    writeFileSync(join(root, '.git/HEAD'), 'ref\n');
    writeFileSync(join(root, 'data/pantheon.db'), 'sqlite\n');
    writeFileSync(join(root, 'data/pantheon.db-wal'), 'sqlite\n');
    await settle();
    expect(reports).toEqual([]);
    // Still watching: a source file is reported.
    writeFileSync(join(root, 'src/app.ts'), '// changed\n');
    await until(() => reports.length > 0, 'a report');
    expect(reports).toEqual([['src/app.ts']]);
  });

  it('watches a new folder, reporting the files it came with, and a removed one', async () => {
    const reports = watched();
    mkdirSync(join(root, 'src/actors/b/nested'), { recursive: true });
    writeFileSync(join(root, 'src/actors/b/index.ts'), 'export {};\n');
    await until(() => reports.length > 0, 'the new folder');
    await settle();
    expect(reports.flat()).toContain('src/actors/b/index.ts');
    reports.length = 0;

    writeFileSync(join(root, 'src/actors/b/nested/tools.ts'), 'export {};\n');
    await until(() => reports.length > 0, 'a file in the new folder');
    expect(reports).toEqual([['src/actors/b/nested/tools.ts']]);
    reports.length = 0;

    rmSync(join(root, 'src/actors/b'), { recursive: true });
    await until(() => reports.length > 0, 'the removal');
    expect(reports.flat()).toContain('src/actors/b');
  });

  it('reports nothing once closed', async () => {
    const reports = watched();
    watch?.close();
    writeFileSync(join(root, 'src/app.ts'), '// changed\n');
    await settle();
    expect(reports).toEqual([]);
  });
});

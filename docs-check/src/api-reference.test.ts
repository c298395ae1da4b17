import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiEntryPointError, apiEntryPoints } from './api-entry-points';
import { buildApiReference } from './api-reference';

const root = fileURLToPath(new URL('../..', import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 'api-reference-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Writes `files` (path → content) under a new directory of `temp` and returns it. */
function fixture(name: string, files: Record<string, string | object>): string {
  const dir = join(temp, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    const text = typeof content === 'string' ? content : JSON.stringify(content, null, 2);
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const tsconfig = {
  compilerOptions: {
    strict: true,
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    skipLibCheck: true,
  },
};
const exportsOf = (...subpaths: string[]) =>
  Object.fromEntries([
    ...subpaths.map((subpath) => {
      const base = subpath === '.' ? 'index' : `${subpath.slice(2)}/index`;
      return [subpath, { types: `./dist/${base}.d.ts`, default: `./dist/${base}.js` }];
    }),
    ['./package.json', './package.json'],
  ]);

describe('apiEntryPoints', () => {
  it("finds every published package's entry points in this repository, subpaths included", () => {
    const specifiers = apiEntryPoints(join(root, 'packages')).map((entry) => entry.specifier);
    expect(specifiers).toEqual(
      expect.arrayContaining([
        '@promethean-os/pantheon-core',
        '@promethean-os/pantheon-core/adapter-kit',
        '@promethean-os/pantheon-adapters',
        '@promethean-os/pantheon-adapters/nats',
        '@promethean-os/pantheon-test/contracts',
      ]),
    );
    // Every published package is there, by its name.
    for (const entry of readdirSync(join(root, 'packages'), { withFileTypes: true })) {
      const manifest = join(root, 'packages', entry.name, 'package.json');
      if (!entry.isDirectory() || !existsSync(manifest)) continue;
      const { name, private: isPrivate } = JSON.parse(readFileSync(manifest, 'utf8'));
      if (!isPrivate) expect(specifiers).toContain(name);
    }
  });

  it('maps each export to its source, skips private packages, and picks up a new package', () => {
    const dir = fixture('discovery', {
      'packages/kit/package.json': { name: '@fixture/kit', exports: exportsOf('.', './extra') },
      'packages/kit/src/index.ts': 'export const kit = 1;\n',
      'packages/kit/src/extra/index.ts': 'export const extra = 1;\n',
      'packages/internal/package.json': { name: '@fixture/internal', private: true },
      'packages/added/package.json': { name: '@fixture/added', exports: exportsOf('.') },
      'packages/added/src/index.ts': 'export const added = 1;\n',
    });
    expect(apiEntryPoints(join(dir, 'packages'))).toEqual([
      { specifier: '@fixture/added', source: join(dir, 'packages/added/src/index.ts') },
      { specifier: '@fixture/kit', source: join(dir, 'packages/kit/src/index.ts') },
      { specifier: '@fixture/kit/extra', source: join(dir, 'packages/kit/src/extra/index.ts') },
    ]);
  });

  it('rejects an export whose source is missing or that has no types, naming it', () => {
    const missing = fixture('missing-source', {
      'packages/kit/package.json': { name: '@fixture/kit', exports: exportsOf('.', './gone') },
      'packages/kit/src/index.ts': 'export const kit = 1;\n',
    });
    expect(() => apiEntryPoints(join(missing, 'packages'))).toThrow(ApiEntryPointError);
    expect(() => apiEntryPoints(join(missing, 'packages'))).toThrow(
      'kit/package.json: exports["./gone"] types ./dist/gone/index.d.ts has no source at src/gone/index.ts',
    );
    const untyped = fixture('untyped', {
      'packages/kit/package.json': { name: '@fixture/kit', exports: { '.': './dist/index.js' } },
    });
    expect(() => apiEntryPoints(join(untyped, 'packages'))).toThrow(
      'kit/package.json: exports["."] has no "types" under ./dist/',
    );
  });
});

describe('buildApiReference', () => {
  it('documents each entry point under its import specifier', async () => {
    const dir = fixture('clean', {
      'tsconfig.json': tsconfig,
      'packages/kit/package.json': { name: '@fixture/kit', exports: exportsOf('.', './extra') },
      'packages/kit/src/index.ts': [
        "import type { Extra } from './extra/index';",
        '/** Makes an {@link Extra}. */',
        'export function makeExtra(): Extra {',
        '  return { size: 1 };',
        '}',
        "export type { Extra } from './extra/index';",
        '',
      ].join('\n'),
      'packages/kit/src/extra/index.ts':
        '/** The extra. */\nexport interface Extra {\n  size: number;\n}\n',
    });
    const out = join(dir, 'api');
    const report = await buildApiReference({
      entryPoints: apiEntryPoints(join(dir, 'packages')),
      tsconfig: join(dir, 'tsconfig.json'),
      out,
    });
    expect(report).toEqual({ ok: true, problems: [] });
    expect(readFileSync(join(out, 'modules/_fixture_kit_extra.html'), 'utf8')).toContain(
      '@fixture/kit/extra',
    );
    expect(existsSync(join(out, 'functions/_fixture_kit.makeExtra.html'))).toBe(true);
  }, 60_000);

  it('fails on a broken {@link}, a type used but not exported, an export without JSDoc', async () => {
    const dir = fixture('broken', {
      'tsconfig.json': tsconfig,
      'packages/kit/package.json': { name: '@fixture/kit', exports: exportsOf('.') },
      'packages/kit/src/index.ts': [
        'interface Hidden {',
        '  size: number;',
        '}',
        '/** Sizes a {@link Nowhere}. */',
        'export function size(value: Hidden): number {',
        '  return value.size;',
        '}',
        'export const undocumented = 1;',
        '',
      ].join('\n'),
    });
    const out = join(dir, 'api');
    const report = await buildApiReference({
      entryPoints: apiEntryPoints(join(dir, 'packages')),
      tsconfig: join(dir, 'tsconfig.json'),
      out,
    });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Failed to resolve link to "Nowhere" in comment for size'),
        expect.stringMatching(
          /Hidden, defined in .*index\.ts, is referenced by size\.value but not included/,
        ),
        expect.stringMatching(
          /undocumented \(Variable\), defined in .*, does not have any documentation/,
        ),
      ]),
    );
    // Nothing is written when the build has a problem.
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

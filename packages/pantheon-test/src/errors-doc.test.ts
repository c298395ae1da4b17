// Keeps docs/errors.md in step with core's error code registry. It lives here rather than in
// pantheon-core because it reads a file, and core's sources (tests included) have no `node:` imports.
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';

const ERROR_CLASSES = new Set([
  'PantheonError',
  'ActorError',
  'BehaviorError',
  'ToolError',
  'LlmError',
  'ContextError',
  'ConfigError',
]);

interface DocumentedCode {
  code: string;
  classes: string[];
  meaning: string;
  whatToDo: string;
  line: number;
}

/** The rows of the table under `## Codes`: `| \`CODE\` | classes | meaning | what to do |`. */
function documentedCodes(markdown: string): DocumentedCode[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf('## Codes');
  if (start === -1) throw new Error('docs/errors.md has no "## Codes" section');
  const rows: DocumentedCode[] = [];
  for (let index = start + 1; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.startsWith('## ')) break;
    if (!line.startsWith('| `')) continue;
    const cells = line
      .slice(1, line.lastIndexOf('|'))
      .split('|')
      .map((cell) => cell.trim());
    if (cells.length !== 4) throw new Error(`docs/errors.md:${index + 1}: expected 4 cells`);
    const [code, classes, meaning, whatToDo] = cells as [string, string, string, string];
    rows.push({
      code: code.replace(/^`|`$/g, ''),
      classes: classes.split(',').map((name) => name.trim().replace(/^`|`$/g, '')),
      meaning,
      whatToDo,
      line: index + 1,
    });
  }
  return rows;
}

const markdown = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const rows = documentedCodes(markdown);
const registry: Record<string, string> = ERROR_CODES;

describe('docs/errors.md', () => {
  it('documents each code once', () => {
    expect(rows.length).toBeGreaterThan(0);
    const seen = rows.map((row) => row.code);
    expect(seen.filter((code, index) => seen.indexOf(code) !== index)).toEqual([]);
  });

  it('documents every code of the registry', () => {
    const documented = new Set(rows.map((row) => row.code));
    expect(Object.keys(registry).filter((code) => !documented.has(code))).toEqual([]);
  });

  it('documents no code that is missing from the registry', () => {
    expect(rows.filter((row) => !(row.code in registry)).map((row) => row.code)).toEqual([]);
  });

  it('gives each code the meaning the registry gives it', () => {
    const differing = rows
      .filter((row) => row.code in registry && registry[row.code] !== row.meaning)
      .map((row) => `line ${row.line}: ${row.code}: "${row.meaning}" ≠ "${registry[row.code]}"`);
    expect(differing).toEqual([]);
  });

  it('names the error classes of each code and what to do', () => {
    for (const row of rows) {
      expect(
        row.classes.every((name) => ERROR_CLASSES.has(name)),
        row.code,
      ).toBe(true);
      expect(row.whatToDo, row.code).not.toBe('');
    }
  });
});

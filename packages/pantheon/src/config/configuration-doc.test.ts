// Keeps docs/configuration.md in step with the code: every variable with the field it sets, and
// every limit and supervision field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from './config-environment';
import { LimitsConfigSchema, SupervisionConfigSchema } from './config-schema';

const markdown = readFileSync(
  new URL('../../../../docs/configuration.md', import.meta.url),
  'utf8',
);

/** The rows of the table under `heading`, as trimmed cells. */
function table(heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  expect(start, heading).toBeGreaterThan(-1);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(
        line
          .slice(1, -1)
          .split(' | ')
          .map((cell) => cell.trim()),
      );
    } else if (inTable) break;
  }
  return rows.slice(2);
}

describe('docs/configuration.md', () => {
  it('lists every environment variable with the field it sets, in order', () => {
    const rows = table('## Environment variables').map(([name, field]) => [name, field]);
    expect(rows).toEqual(
      CONFIG_VARIABLES.map((variable) => [`\`${variable.name}\``, `\`${variable.field}\``]),
    );
  });

  it('lists every limit and supervision field', () => {
    const fields = table('### Limits and supervision').map(([field]) => field);
    expect(fields).toEqual([
      ...Object.keys(LimitsConfigSchema.shape).map((key) => `\`limits.${key}\``),
      ...Object.keys(SupervisionConfigSchema.shape).map((key) => `\`supervision.${key}\``),
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { extractSnippets, SnippetMarkerError } from './markdown-snippets';

const markdown = (...lines: string[]) => lines.join('\n');

describe('extractSnippets', () => {
  it('returns each ```ts and ```typescript block with the line of its first code line', () => {
    const snippets = extractSnippets(
      markdown(
        '# Title', // 1
        '', // 2
        '```ts', // 3
        'const a = 1;', // 4
        '```', // 5
        '', // 6
        '```typescript', // 7
        'const b = 2;', // 8
        'const c = 3;', // 9
        '```', // 10
      ),
      'docs/example.md',
    );
    expect(snippets).toEqual([
      { file: 'docs/example.md', line: 4, code: 'const a = 1;', mode: 'check' },
      { file: 'docs/example.md', line: 8, code: 'const b = 2;\nconst c = 3;', mode: 'check' },
    ]);
  });

  it('leaves other languages out, and ```ts shown inside a longer fence', () => {
    const snippets = extractSnippets(
      markdown(
        '```bash',
        'pnpm add x',
        '```',
        '````md',
        '```ts',
        'not a block of this file',
        '```',
        '````',
        '```json',
        '{}',
        '```',
      ),
      'README.md',
    );
    expect(snippets).toEqual([]);
  });

  it('removes the indentation of a block inside a list item', () => {
    const [snippet] = extractSnippets(
      markdown('- item:', '', '  ```ts', '  if (x) {', '    y();', '  }', '  ```'),
      'docs/list.md',
    );
    expect(snippet).toMatchObject({ line: 4, code: 'if (x) {\n  y();\n}' });
  });

  it('marks the block after <!-- snippet: partial … --> partial', () => {
    const snippets = extractSnippets(
      markdown(
        '<!-- snippet: partial the reader writes the rest -->', // 1
        '', // 2
        '```ts', // 3
        'options: { … }', // 4
        '```', // 5
        '```ts', // 6
        'const whole = 1;', // 7
        '```', // 8
      ),
      'docs/partial.md',
    );
    expect(snippets.map((snippet) => snippet.mode)).toEqual(['partial', 'check']);
  });

  it('attaches a preamble, with the line its code starts on', () => {
    const [multiLine, oneLine] = extractSnippets(
      markdown(
        'Text.', // 1
        '<!-- snippet: preamble', // 2
        "import type { LlmPort } from '@promethean-os/pantheon-core';", // 3
        'declare const model: LlmPort;', // 4
        '-->', // 5
        '```ts', // 6
        'model.complete([]);', // 7
        '```', // 8
        '<!-- snippet: preamble declare const answer: number; -->', // 9
        '```ts', // 10
        'answer + 1;', // 11
        '```', // 12
      ),
      'docs/preamble.md',
    );
    expect(multiLine).toMatchObject({
      line: 7,
      mode: 'check',
      preamble: {
        line: 3,
        code: "import type { LlmPort } from '@promethean-os/pantheon-core';\ndeclare const model: LlmPort;",
      },
    });
    expect(oneLine).toMatchObject({ line: 11, preamble: { line: 9 } });
    expect(oneLine?.preamble?.code.trim()).toBe('declare const answer: number;');
  });

  it('rejects a misspelt marker, naming the file and line', () => {
    const extract = () =>
      extractSnippets(markdown('', '<!-- snippet: partail -->', '```ts', 'x', '```'), 'docs/a.md');
    expect(extract).toThrow(SnippetMarkerError);
    expect(extract).toThrow(/^docs\/a\.md:2: unknown snippet marker/);
  });

  it('rejects a marker that is not followed by a ```ts block', () => {
    expect(() =>
      extractSnippets(
        markdown('<!-- snippet: partial -->', 'Some prose.', '```ts', 'x', '```'),
        'b.md',
      ),
    ).toThrow(/^b\.md:1: the snippet marker is not followed by a ```ts block/);
    expect(() =>
      extractSnippets(markdown('<!-- snippet: partial -->', '```bash', 'ls', '```'), 'c.md'),
    ).toThrow(/^c\.md:1: the snippet marker is followed by a ```bash block/);
    expect(() => extractSnippets('<!-- snippet: partial -->\n', 'd.md')).toThrow(/^d\.md:1:/);
  });

  it('rejects a marker without its closing -->', () => {
    expect(() =>
      extractSnippets(markdown('<!-- snippet: preamble', 'declare const x: number;'), 'e.md'),
    ).toThrow(/^e\.md:1: the snippet marker has no closing -->/);
  });
});

/**
 * Finds the TypeScript code blocks of a markdown file and the `<!-- snippet: … -->` marker in
 * front of each (see CONTRIBUTING.md):
 *
 * - `<!-- snippet: partial <reason> -->` — a fragment: only its `import` declarations are checked;
 * - `<!-- snippet: preamble <lines> -->` — TypeScript placed before the block when it is checked
 *   (declarations of what the prose has already introduced); invisible in the rendered page.
 *
 * A marker applies to the next fenced block, with only blank lines between them.
 */

/** A fenced ```ts or ```typescript block of a markdown file. */
export interface Snippet {
  /** The markdown file, as the caller named it. */
  file: string;
  /** 1-based line of the block's first code line in `file`. */
  line: number;
  /** The code, with the fence's indentation removed. */
  code: string;
  /** `check`: type-checked whole; `partial`: only its imports are checked. */
  mode: 'check' | 'partial';
  /** Code from a `preamble` marker, checked in front of the block. */
  preamble?: { line: number; code: string };
}

/** A malformed marker, or a marker that is not followed by a TypeScript block. */
export class SnippetMarkerError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'SnippetMarkerError';
  }
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/;
const MARKER_START = /^\s*<!--\s*snippet\b/;
const MARKER = /^\s*<!--\s*snippet:\s*([a-z-]+)\b([\s\S]*?)-->\s*$/;
const TYPESCRIPT = new Set(['ts', 'typescript']);

interface Marker {
  kind: 'partial' | 'preamble';
  line: number;
  /** The line after the marker's `-->`. */
  end: number;
  body: string;
  bodyLine: number;
}

/** Returns every TypeScript block of `markdown`, with its marker applied. */
export function extractSnippets(markdown: string, file: string): Snippet[] {
  const lines = markdown.split(/\r?\n/);
  const snippets: Snippet[] = [];
  let pending: Marker | undefined;

  for (let index = 0; index < lines.length; index += 1) {
    const text = lines[index]!;
    const fence = FENCE.exec(text);
    if (fence) {
      const [, indent = '', ticks = '', language = ''] = fence;
      const close = closingFence(lines, index + 1, ticks);
      const body = lines.slice(index + 1, close).map((line) => dedent(line, indent.length));
      const isTypeScript = TYPESCRIPT.has(language.toLowerCase());
      if (pending && !isTypeScript) {
        throw new SnippetMarkerError(
          `the snippet marker is followed by a \`\`\`${language} block, not \`\`\`ts`,
          file,
          pending.line,
        );
      }
      if (isTypeScript) {
        snippets.push({
          file,
          line: index + 2,
          code: body.join('\n'),
          mode: pending?.kind === 'partial' ? 'partial' : 'check',
          ...(pending?.kind === 'preamble'
            ? { preamble: { line: pending.bodyLine, code: pending.body } }
            : {}),
        });
      }
      pending = undefined;
      index = close;
      continue;
    }
    if (MARKER_START.test(text)) {
      if (pending) {
        throw new SnippetMarkerError('two snippet markers in front of one block', file, index + 1);
      }
      pending = readMarker(lines, index, file);
      index = pending.end - 1;
      continue;
    }
    if (pending && text.trim() !== '') {
      throw new SnippetMarkerError(
        'the snippet marker is not followed by a ```ts block (only blank lines may be between them)',
        file,
        pending.line,
      );
    }
  }
  if (pending) {
    throw new SnippetMarkerError(
      'the snippet marker is not followed by a ```ts block',
      file,
      pending.line,
    );
  }
  return snippets;
}

function closingFence(lines: string[], from: number, ticks: string): number {
  const closing = new RegExp(`^\\s*${ticks[0] === '`' ? '`' : '~'}{${ticks.length},}\\s*$`);
  for (let index = from; index < lines.length; index += 1) {
    if (closing.test(lines[index]!)) return index;
  }
  return lines.length;
}

function dedent(line: string, width: number): string {
  let cut = 0;
  while (cut < width && line[cut] === ' ') cut += 1;
  return line.slice(cut);
}

function readMarker(lines: string[], start: number, file: string): Marker {
  let end = start;
  while (end < lines.length && !lines[end]!.includes('-->')) end += 1;
  if (end === lines.length) {
    throw new SnippetMarkerError('the snippet marker has no closing -->', file, start + 1);
  }
  const text = lines.slice(start, end + 1).join('\n');
  const match = MARKER.exec(text);
  const kind = match?.[1];
  if (!match || (kind !== 'partial' && kind !== 'preamble')) {
    throw new SnippetMarkerError(
      `unknown snippet marker ${JSON.stringify(text.trim())}: write <!-- snippet: partial <reason> --> or <!-- snippet: preamble <code> -->`,
      file,
      start + 1,
    );
  }
  // The preamble's code starts on the marker's line, after the kind, and runs to the `-->`.
  const rest = match[2] ?? '';
  const firstLine = rest.split('\n')[0]!;
  const body = firstLine.trim() === '' ? rest.slice(firstLine.length + 1) : rest;
  const bodyLine = firstLine.trim() === '' ? start + 2 : start + 1;
  return { kind, line: start + 1, end: end + 1, body: body.replace(/\s+$/, ''), bodyLine };
}

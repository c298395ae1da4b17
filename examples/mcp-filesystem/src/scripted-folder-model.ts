import type { LlmCompleteOptions, LlmPort, Message, ToolCall } from '@promethean-os/pantheon-core';
import { TOOL_PREFIX } from './folder-assistant';

/** What every answer of the stand-in starts with, so no one mistakes it for a model. */
export const SCRIPTED_LABEL = '(scripted stand-in, not a language model)';

const STOP_WORDS = new Set([
  'what',
  'when',
  'where',
  'which',
  'does',
  'from',
  'with',
  'about',
  'there',
  'this',
  'that',
  'have',
  'many',
  'much',
  'should',
  'would',
  'could',
  'folder',
  'file',
  'files',
]);

interface TreeEntry {
  name: string;
  type: 'file' | 'directory';
  children?: TreeEntry[];
}

function filesOf(entries: TreeEntry[], base: string): string[] {
  return entries.flatMap((entry) =>
    entry.type === 'file'
      ? [`${base}/${entry.name}`]
      : filesOf(entry.children ?? [], `${base}/${entry.name}`),
  );
}

function keywords(question: string): string[] {
  return (question.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter(
    (word) => word.length >= 4 && !STOP_WORDS.has(word),
  );
}

/**
 * SCRIPTED STAND-IN FOR A REAL MODEL, for running the example offline. It does not understand
 * language: it takes the folder from the system prompt, calls `fs_directory_tree`, then
 * `fs_read_multiple_files` on what it found, and answers with the lines that share a word of four
 * letters or more with the question, naming their file. Every answer starts with `SCRIPTED_LABEL`.
 * The tool calls and results are real: they go through the MCP filesystem server.
 */
export class ScriptedFolderModel implements LlmPort {
  private calls = 0;

  async complete(messages: Message[], options: LlmCompleteOptions = {}): Promise<Message> {
    const folder = /^Folder: (.+)$/m.exec(
      messages.find((m) => m.role === 'system')?.content ?? '',
    )?.[1];
    const lastUser = messages.findLastIndex((message) => message.role === 'user');
    const question = messages[lastUser]?.content ?? '';
    const results = messages.slice(lastUser + 1).filter((message) => message.role === 'tool');
    const offered = new Set((options.tools ?? []).map((tool) => tool.name));
    const tree = `${TOOL_PREFIX}directory_tree`;
    const read = `${TOOL_PREFIX}read_multiple_files`;
    if (folder === undefined || !offered.has(tree) || !offered.has(read)) {
      return this.answer(
        `I have no folder to look in (no "Folder:" line, or no ${tree} and ${read} tools).`,
      );
    }
    const last = results.at(-1);
    if (last?.metadata?.isError === true)
      return this.answer(`The filesystem server said: ${last.content}`);
    if (results.length === 0) return this.callTool(tree, { path: folder });
    if (results.length === 1) {
      const paths = filesOf(JSON.parse(results[0]!.content) as TreeEntry[], folder).slice(0, 10);
      if (paths.length === 0) return this.answer(`The folder ${folder} has no files.`);
      return this.callTool(read, { paths });
    }
    return this.answer(this.findLines(question, results[1]!.content, folder));
  }

  /** The lines of `read_multiple_files`' output that share a keyword with the question. */
  private findLines(question: string, contents: string, folder: string): string {
    const words = keywords(question);
    const found: string[] = [];
    for (const section of contents.split('\n---\n')) {
      const [header, ...lines] = section.split('\n');
      const file = (header ?? '').replace(/:$/, '').replace(`${folder}/`, '');
      for (const line of lines) {
        const lower = line.toLowerCase();
        if (line.trim() !== '' && words.some((word) => lower.includes(word)))
          found.push(`${file}: ${line.trim()}`);
      }
    }
    if (found.length === 0)
      return `The files do not say (I looked for: ${words.join(', ') || 'nothing'}).`;
    return `From the files:\n${found.map((line) => `  ${line}`).join('\n')}`;
  }

  private answer(text: string): Message {
    return { role: 'assistant', content: `${SCRIPTED_LABEL} ${text}` };
  }

  private callTool(name: string, args: Record<string, unknown>): Message {
    this.calls++;
    const call: ToolCall = { id: `call_scripted_${this.calls}`, name, args };
    return { role: 'assistant', content: '', toolCalls: [call] };
  }
}

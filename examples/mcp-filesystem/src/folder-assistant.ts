import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import {
  type LlmPort,
  type LogFunction,
  llmBehavior,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { connectMcp } from '@promethean-os/pantheon-mcp';

/** The filesystem server's entry script, from node_modules: nothing is downloaded at run time. */
export const FILESYSTEM_SERVER = join(
  dirname(
    createRequire(import.meta.url).resolve('@modelcontextprotocol/server-filesystem/package.json'),
  ),
  'dist',
  'index.js',
);

/**
 * The filesystem server's tools the librarian may use: reading only. `write_file`, `edit_file`,
 * `move_file` and `create_directory` are not registered, so the model is never offered them.
 */
export const READ_ONLY_TOOLS = [
  'list_directory',
  'directory_tree',
  'read_text_file',
  'read_multiple_files',
  'search_files',
  'get_file_info',
] as const;

/** The prefix of the registered tools: `fs_read_text_file`, … */
export const TOOL_PREFIX = 'fs_';

/** The id of the actor that answers. */
export const LIBRARIAN = 'librarian';

/** The librarian's system prompt; it names the folder on a line of its own. */
export function librarianPrompt(folder: string): string {
  return [
    'You answer questions about the files in one folder, and only from what they say.',
    `Folder: ${folder}`,
    `Look before you answer: the ${TOOL_PREFIX} tools list, search and read the files (use absolute paths inside the folder).`,
    'Name the file you found the answer in. If the files do not say, answer that they do not.',
  ].join('\n');
}

/** Options of `startFolderAssistant`. */
export interface FolderAssistantOptions {
  /** The model behind the librarian. */
  llm: LlmPort;
  /** The folder the filesystem server may read; nothing outside it. */
  folder: string;
  /** Where the system and the MCP connection report problems. Default: discard. */
  log?: LogFunction;
}

/** A running librarian: one actor, the filesystem server behind its tools. */
export interface FolderAssistant {
  /** The folder, as the server sees it (symbolic links resolved). */
  folder: string;
  /** The tool names the model is offered. */
  toolNames: string[];
  /** The filesystem server's process id. */
  serverPid: number | undefined;
  /** Asks the librarian; resolves with its answer. */
  ask(question: string): Promise<string>;
  /** Shuts the actor system down, then ends the filesystem server's process. */
  close(): Promise<void>;
}

/**
 * Starts the filesystem MCP server on `folder` (its only allowed directory), registers its
 * read-only tools and creates the `librarian` actor, an `llmBehavior` offered those tools.
 */
export async function startFolderAssistant(
  options: FolderAssistantOptions,
): Promise<FolderAssistant> {
  const log = options.log ?? (() => {});
  // The server resolves symbolic links in its allowed directories; so do we, so paths match.
  const folder = realpathSync(resolve(options.folder));
  const files = await connectMcp(
    { command: process.execPath, args: [FILESYSTEM_SERVER, folder] },
    { name: 'filesystem', log },
  );
  try {
    const tools = new InMemoryToolAdapter();
    const registration = await files.registerTools(tools, {
      prefix: TOOL_PREFIX,
      include: [...READ_ONLY_TOOLS],
    });
    const system = new PantheonSystem({
      contextAdapter: new InMemoryContextAdapter(),
      toolAdapter: tools,
      llmAdapter: options.llm,
      messageBus: new InMemoryMessageBus(),
      scheduler: new NodeScheduler(),
      actorStateAdapter: new InMemoryActorStateAdapter(),
      log,
    });
    await system.createActor({
      id: LIBRARIAN,
      name: LIBRARIAN,
      goals: ['Answer questions about the folder from its files'],
      script: {
        name: LIBRARIAN,
        description: 'Answers questions about a folder by reading its files',
        contextSources: [],
        talents: [
          {
            name: 'answer',
            behaviors: [
              llmBehavior({
                name: 'answer',
                system: librarianPrompt(folder),
                tools: registration.names,
                maxSteps: 8,
              }),
            ],
          },
        ],
      },
    });
    await system.startActor(LIBRARIAN);
    return {
      folder,
      toolNames: registration.names,
      serverPid: files.pid,
      async ask(question) {
        return (await system.ask(LIBRARIAN, question, { timeoutMs: 120_000 })).content;
      },
      async close() {
        await system.shutdown();
        await files.close();
      },
    };
  } catch (error) {
    await files.close();
    throw error;
  }
}

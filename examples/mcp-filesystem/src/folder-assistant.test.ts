import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LlmCompleteOptions, LlmPort, Message } from '@promethean-os/pantheon-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type FolderAssistant, READ_ONLY_TOOLS, startFolderAssistant } from './folder-assistant';
import { SCRIPTED_LABEL, ScriptedFolderModel } from './scripted-folder-model';

const SAMPLE_FOLDER = fileURLToPath(new URL('../sample-folder', import.meta.url));

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Records what the model is shown, then lets `inner` answer. */
function recording(inner: LlmPort) {
  const calls: Array<{ messages: Message[]; options: LlmCompleteOptions }> = [];
  const llm: LlmPort = {
    complete(messages, options = {}) {
      calls.push({ messages, options });
      return inner.complete(messages, options);
    },
  };
  return { llm, calls };
}

describe('the folder assistant, offline with the scripted stand-in model', {
  timeout: 30_000,
}, () => {
  const model = recording(new ScriptedFolderModel());
  let assistant: FolderAssistant;

  it('answers from the files it reads through the MCP filesystem server', async () => {
    assistant = await startFolderAssistant({ llm: model.llm, folder: SAMPLE_FOLDER });
    const flour = await assistant.ask('How much flour goes into the pancakes?');
    expect(flour).toBe(
      `${SCRIPTED_LABEL} From the files:\n  recipes/pancakes.md: # Saturday pancakes\n  recipes/pancakes.md: - 250 g flour\n  recipes/pancakes.md: Whisk the eggs with half the milk, add the flour and salt, then the rest of the milk.\n  recipes/pancakes.md: Rest the batter for 30 minutes. Fry thin pancakes in butter, about a minute a side.`,
    );
    const boiler = await assistant.ask('When is the boiler service?');
    expect(boiler).toContain(
      'notes/2026-03-02-house-meeting.md: - The boiler service is booked for 14 March, 08:00–10:00. Maja lets the engineer in.',
    );
    expect(await assistant.ask('Who won the football on Sunday?')).toBe(
      `${SCRIPTED_LABEL} The files do not say (I looked for: football, sunday).`,
    );
  });

  it("offers the model the server's read-only tools, with the server's schemas, and nothing that writes", () => {
    const offered = model.calls[0]!.options.tools!;
    expect(offered.map((tool) => tool.name).sort()).toEqual(
      READ_ONLY_TOOLS.map((name) => `fs_${name}`).sort(),
    );
    expect(
      offered.find((tool) => tool.name === 'fs_read_multiple_files')!.parameters,
    ).toMatchObject({
      type: 'object',
      properties: { paths: { type: 'array', items: { type: 'string' }, minItems: 1 } },
      required: ['paths'],
    });
    // Each question: the tree, the files, the answer.
    expect(model.calls).toHaveLength(9);
    const toolCalls = model.calls.flatMap(({ messages }) =>
      messages.filter((m) => m.role === 'tool'),
    );
    expect(toolCalls.some((message) => message.metadata?.isError === true)).toBe(false);
  });

  it('close() shuts the actor down and ends the filesystem server', async () => {
    const pid = assistant.serverPid!;
    expect(processExists(pid)).toBe(true);
    await assistant.close();
    expect(processExists(pid)).toBe(false);
  });
});

describe('the folder assistant keeps the model inside its folder', { timeout: 30_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'pantheon-mcp-example-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("a read outside the folder comes back to the model as the server's refusal", async () => {
    const inside = join(root, 'inside');
    const secret = join(root, 'secret.txt');
    mkdirSync(inside);
    writeFileSync(secret, 'the secret');
    const curious: LlmPort = {
      async complete(messages) {
        const last = messages.at(-1)!;
        if (last.role !== 'tool') {
          return {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'peek', name: 'fs_read_text_file', args: { path: secret } }],
          };
        }
        return { role: 'assistant', content: `The tool said: ${last.content}` };
      },
    };
    const assistant = await startFolderAssistant({ llm: curious, folder: inside });
    try {
      const answer = await assistant.ask('What is in the secret file?');
      expect(answer).toMatch(
        /^The tool said: Error \(TOOL_FAILED\): .*Access denied - path outside allowed directories/,
      );
      expect(answer).not.toContain('the secret');
    } finally {
      await assistant.close();
    }
  });
});

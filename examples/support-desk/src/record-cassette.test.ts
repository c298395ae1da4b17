import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SUPPORT_DESK_CASSETTE } from './model-choice';
import { recordCassette } from './record-cassette';
import { ScriptedSupportModel } from './scripted-support-model';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'support-desk-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

it('re-recording the scripted model reproduces the committed cassette byte for byte', async () => {
  const file = join(directory, 'support-desk.cassette.json');

  const run = await recordCassette(new ScriptedSupportModel(), file);

  expect(run.errors).toEqual([]);
  expect(await readFile(file, 'utf8')).toBe(await readFile(SUPPORT_DESK_CASSETTE, 'utf8'));
});

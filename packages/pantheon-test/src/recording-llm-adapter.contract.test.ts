import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeLlmPortContract } from '@promethean-os/pantheon-test/contracts';
import { afterAll } from 'vitest';
import { MockLlmAdapter, RecordingLlmAdapter } from './index';

const directory = mkdtempSync(join(tmpdir(), 'pantheon-recording-contract-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let count = 0;

describeLlmPortContract(
  'RecordingLlmAdapter (over MockLlmAdapter)',
  ({ replies }) =>
    new RecordingLlmAdapter(
      new MockLlmAdapter().queueResponses(...replies),
      join(directory, `contract-${++count}.cassette.json`),
    ),
);

import type { LlmPort } from '@promethean-os/pantheon-core';
import { RecordingLlmAdapter } from '@promethean-os/pantheon-test';
import { runSupportDesk, type SupportDeskOptions, type SupportDeskRun } from './support-desk';

/**
 * Runs the desk on `model` through a `RecordingLlmAdapter`, writing every model call to the
 * cassette `file` (replaced, not appended to).
 */
export async function recordCassette(
  model: LlmPort,
  file: string,
  options: Omit<SupportDeskOptions, 'llm'> = {},
): Promise<SupportDeskRun> {
  return runSupportDesk({ ...options, llm: new RecordingLlmAdapter(model, file) });
}

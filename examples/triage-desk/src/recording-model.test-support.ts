import { LlmError, type LlmPort, type Message } from '@promethean-os/pantheon-core';

/** Wraps the desk model to record what each actor's model was shown (by system prompt). */
export function recordingModel(
  inner: LlmPort,
  failFor?: RegExp,
): LlmPort & { shown: Array<{ system: string; messages: Message[] }> } {
  const shown: Array<{ system: string; messages: Message[] }> = [];
  return {
    shown,
    async complete(messages, options) {
      const system = messages[0]?.content ?? '';
      shown.push({ system, messages: structuredClone(messages) });
      if (failFor?.test(system)) {
        throw new LlmError(
          'The model provider answered 503',
          { status: 503 },
          { code: 'LLM_SERVER' },
        );
      }
      return inner.complete(messages, options);
    },
  };
}

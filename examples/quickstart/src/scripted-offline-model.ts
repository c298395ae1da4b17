import type { LlmPort, Message } from '@promethean-os/pantheon-core';

/**
 * OFFLINE STAND-IN FOR A REAL MODEL. It does not understand language: it answers from the last
 * `Forecast:` line in its input, so the demo runs without network or API keys. Swap in
 * `OpenAiAdapter` or `ClaudeAdapter` for real answers; the actor code stays the same.
 */
export class ScriptedOfflineModel implements LlmPort {
  static readonly label = '[offline scripted model]';

  async complete(messages: Message[]): Promise<Message> {
    const forecast = messages.findLast((message) => message.content.startsWith('Forecast:'));
    const content = forecast
      ? `${ScriptedOfflineModel.label} ${forecast.content.slice('Forecast:'.length).trim()}`
      : `${ScriptedOfflineModel.label} I can only tell the weather for Oslo, Lima or Tokyo.`;
    return { role: 'assistant', content };
  }
}

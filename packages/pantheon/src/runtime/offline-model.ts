import type { LlmPort, Message } from '@promethean-os/pantheon-core';

/**
 * OFFLINE STAND-IN FOR A MODEL (`adapters.llm.type: 'mock'`, unless the app brings its own
 * `offlineModel`). It understands nothing: it answers every call with the last user message,
 * prefixed with its label, so an app runs without network or API key and a reader of the
 * output cannot take it for a real answer.
 */
export class OfflineEchoModel implements LlmPort {
  static readonly label = '[offline mock model]';

  async complete(messages: Message[]): Promise<Message> {
    const last = messages.findLast((message) => message.role === 'user');
    return {
      role: 'assistant',
      content: `${OfflineEchoModel.label} You said: ${last?.content ?? ''}`,
    };
  }
}

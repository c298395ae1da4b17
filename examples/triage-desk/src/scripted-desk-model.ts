import type { LlmCompleteOptions, LlmPort, Message } from '@promethean-os/pantheon-core';
import type { Invoice } from './invoices';

/**
 * OFFLINE SCRIPTED STAND-IN FOR A REAL MODEL, so the example runs without a network or an API
 * key. It does not understand language: fixed rules on what it is shown pick its moves. Offered
 * the `handoff` tool it plays triage (money words → billing, anything else → tech); offered
 * `lookup-invoices` it plays billing (look the customer up, then answer from the result);
 * otherwise it plays tech. Its answers quote what it was shown, so a conversation that leaked
 * into another would show in the answer.
 */
export class ScriptedDeskModel implements LlmPort {
  static readonly label = 'scripted desk model (offline rules, not a language model)';
  private calls = 0;

  async complete(messages: Message[], options: LlmCompleteOptions = {}): Promise<Message> {
    const offered = new Set((options.tools ?? []).map((tool) => tool.name));
    const last = messages.at(-1);
    const customerLines = messages.filter((message) => message.role === 'user');
    const customer = customerLines.at(-1)?.name ?? 'there';
    if (offered.has('handoff')) {
      const to = /charg|refund|invoice|bill|paid|pay/i.test(last?.content ?? '')
        ? 'billing'
        : 'tech';
      return this.call('handoff', {
        to,
        reason: to === 'billing' ? 'a billing question' : 'a technical problem',
      });
    }
    if (offered.has('lookup-invoices')) {
      if (last?.role !== 'tool') return this.call('lookup-invoices', { customerId: customer });
      const { invoices } = JSON.parse(last.content) as { invoices: Invoice[] };
      const doubled = invoices.find((invoice) => invoice.status === 'charged twice');
      const summary = doubled
        ? `${doubled.id} (€${doubled.amountEur}) was charged twice; I have refunded the second charge`
        : `your invoices are ${invoices.map((invoice) => `${invoice.id} (${invoice.status})`).join(', ') || 'none'}`;
      return {
        role: 'assistant',
        content: `Hi ${customer}, billing here: ${summary}. ${this.quote(customerLines)}`,
      };
    }
    return {
      role: 'assistant',
      content: `Hi ${customer}, tech support here: please update the app to 2.4.1 and sign in again. ${this.quote(customerLines)}`,
    };
  }

  /** What the customer said in this conversation, as the model was shown it. */
  private quote(lines: readonly Message[]): string {
    return `(You wrote: ${lines.map((line) => `"${line.content}"`).join(', ')})`;
  }

  private call(name: string, args: Record<string, unknown>): Message {
    this.calls++;
    return {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: `call_${this.calls}`, name, args }],
    };
  }
}

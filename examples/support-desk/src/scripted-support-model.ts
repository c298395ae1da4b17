import type { LlmCompleteOptions, LlmPort, Message, ToolCall } from '@promethean-os/pantheon-core';
import { ESCALATE_TOOL, type EscalationArgs } from './escalation';
import { AGENT_REFUND_LIMIT_EUR, SUPERVISOR_REFUND_LIMIT_EUR } from './policies';
import { REFUND_TOOL, type RefundArgs } from './refund-tool';
import { DESTINATIONS, type DestinationWeather } from './weather-tool';

/**
 * SCRIPTED STAND-IN FOR A REAL MODEL, used only to record the committed cassette (no provider is
 * reachable where this example was written). It does not understand language: fixed rules on the
 * last message pick the tool calls and the answers. With tools offered it plays the front-line
 * agent (a destination named → `get-weather`; a refund above the agent limit → escalate); offered
 * `issue-refund` it plays the supervisor (a refund within its limit → `issue-refund`). Its tool call ids are numbered, so a recording is reproducible.
 */
export class ScriptedSupportModel implements LlmPort {
  static readonly label = 'scripted support model (rules, not a language model)';
  private calls = 0;

  async complete(messages: Message[], options: LlmCompleteOptions = {}): Promise<Message> {
    const offered = new Set((options.tools ?? []).map((tool) => tool.name));
    const last = messages.at(-1);
    if (offered.has(REFUND_TOOL) || offered.size === 0) {
      if (last?.role === 'tool') return this.afterRefund(last, messages);
      return this.supervise(last?.content ?? '', offered);
    }
    if (last?.role === 'tool') return this.answerFromTool(last, messages);
    return this.triage(last?.content ?? '', offered);
  }

  private triage(question: string, offered: ReadonlySet<string>): Message {
    const refund = refundAmount(question);
    if (refund !== undefined && refund > AGENT_REFUND_LIMIT_EUR && offered.has(ESCALATE_TOOL)) {
      const args: EscalationArgs = {
        reason: `a refund of €${refund} is above the €${AGENT_REFUND_LIMIT_EUR} agent limit`,
        summary: `The customer asks: "${question}"`,
      };
      return this.callTool(ESCALATE_TOOL, { ...args });
    }
    const destination = DESTINATIONS.find((name) =>
      question.toLowerCase().includes(name.toLowerCase()),
    );
    if (destination !== undefined && offered.has('get-weather')) {
      return this.callTool('get-weather', { location: destination });
    }
    return {
      role: 'assistant',
      content: `I can tell you the weather in ${DESTINATIONS.join(', ')} and help with refunds.`,
    };
  }

  private answerFromTool(result: Message, messages: Message[]): Message {
    if (result.metadata?.isError === true) {
      return { role: 'assistant', content: `Sorry, that did not work: ${result.content}` };
    }
    if (result.name === 'get-weather') {
      const weather = JSON.parse(result.content) as DestinationWeather;
      const advice = weather.windKph >= 60 ? 'expect delays' : 'sailings run as normal';
      return {
        role: 'assistant',
        content: `${weather.location} right now: ${weather.celsius}°C, ${weather.conditions}, wind ${weather.windKph} km/h, so ${advice}.`,
      };
    }
    const question = messages.findLast((message) => message.role === 'user')?.content ?? '';
    const refund = refundAmount(question);
    return {
      role: 'assistant',
      content: `I can't approve a refund of €${refund} myself, so I have passed your request to a supervisor, who will reply to you directly.`,
    };
  }

  private supervise(escalation: string, offered: ReadonlySet<string>): Message {
    const refund = refundAmount(escalation);
    if (refund !== undefined && refund <= SUPERVISOR_REFUND_LIMIT_EUR && offered.has(REFUND_TOOL)) {
      const args: RefundArgs = { amount: refund, reason: 'cancelled sailing' };
      return this.callTool(REFUND_TOOL, { ...args });
    }
    return {
      role: 'assistant',
      content:
        'Supervisor here: I have passed your case to our finance team, who will contact you within 2 working days.',
    };
  }

  /** The supervisor's answer once the refund was paid, or refused by finance. */
  private afterRefund(result: Message, messages: Message[]): Message {
    const escalation = messages.findLast((message) => message.role === 'user')?.content ?? '';
    const refund = refundAmount(escalation);
    if (result.metadata?.isError === true) {
      return {
        role: 'assistant',
        content: `Supervisor here: our finance team did not approve the refund of €${refund}, so they will contact you within 2 working days.`,
      };
    }
    const paid = JSON.parse(result.content) as { refunded: number; reference: string };
    return {
      role: 'assistant',
      content: `Supervisor here: I have refunded €${paid.refunded} for the cancelled sailing (reference ${paid.reference}); it reaches your original payment method within 5 working days.`,
    };
  }

  private callTool(name: string, args: Record<string, unknown>): Message {
    this.calls++;
    const call: ToolCall = { id: `call_scripted_${this.calls}`, name, args };
    return { role: 'assistant', content: '', toolCalls: [call] };
  }
}

/** The first euro amount in `text` (`€240`, `240 EUR`, `240 euros`), in whole euros. */
export function refundAmount(text: string): number | undefined {
  const match = /€\s?(\d+)|(\d+)\s?(?:EUR|euros?)\b/i.exec(text);
  const digits = match?.[1] ?? match?.[2];
  return digits === undefined ? undefined : Number(digits);
}

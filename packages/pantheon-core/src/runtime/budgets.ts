import { PantheonError } from '../errors';
import type { LlmPort } from '../ports/llm-port';
import type { ToolPort } from '../ports/tool-port';
import type { Message } from '../types';

/**
 * What one conversation may spend, across every actor it reaches and the actors they spawn.
 * Every field is optional; an absent one is unlimited.
 */
export interface Budget {
  /** Model calls (`complete` or `stream`). */
  modelCalls?: number;
  /** Input plus output tokens, as the model's replies report them in `metadata.usage`. */
  tokens?: number;
  /** Tool calls, by actions and by behaviors. */
  toolCalls?: number;
  /** Milliseconds since the conversation's first message. */
  wallTimeMs?: number;
  /** Spend in the unit of the system's `prices`. */
  cost?: number;
}

/**
 * Prices per million tokens by model name: the reply's `metadata.model`, else the model the
 * call asked for. A model missing from the table costs nothing.
 */
export type PriceTable = Record<string, { input: number; output: number }>;

/** What a conversation has spent so far. */
export interface BudgetSpent {
  modelCalls: number;
  tokens: number;
  toolCalls: number;
  cost: number;
  /** When the conversation's budget started (the system's clock). */
  startedAt: number;
}

/**
 * A conversation's budget and what it has spent. It travels with the conversation in
 * `metadata.budget` of its messages — to other actors, other processes and through a durable
 * store — and a receiver keeps the larger of what it knew and what the message says.
 */
export interface BudgetLedger {
  limit: Budget;
  spent: BudgetSpent;
}

/**
 * A new conversation's ledger under `limit`: nothing spent, started `now`. A sender that keeps no
 * ledgers (a cluster's client) puts it in `metadata.budget` of the conversation's first message.
 */
export function startLedger(limit: Budget, now: number): BudgetLedger {
  return {
    limit: { ...limit },
    spent: { modelCalls: 0, tokens: 0, toolCalls: 0, cost: 0, startedAt: now },
  };
}

/** Which limit a ledger has reached, if any. */
export function exceededLimit(ledger: BudgetLedger, now: number): keyof Budget | undefined {
  const { limit, spent } = ledger;
  if (limit.modelCalls !== undefined && spent.modelCalls >= limit.modelCalls) return 'modelCalls';
  if (limit.tokens !== undefined && spent.tokens >= limit.tokens) return 'tokens';
  if (limit.toolCalls !== undefined && spent.toolCalls >= limit.toolCalls) return 'toolCalls';
  if (limit.cost !== undefined && spent.cost >= limit.cost) return 'cost';
  if (limit.wallTimeMs !== undefined && now - spent.startedAt >= limit.wallTimeMs) {
    return 'wallTimeMs';
  }
  return undefined;
}

function spentOn(ledger: BudgetLedger, limit: keyof Budget, now: number): number {
  return limit === 'wallTimeMs' ? now - ledger.spent.startedAt : ledger.spent[limit];
}

/** The error of a conversation past its budget. */
export function budgetExceeded(
  conversationId: string,
  ledger: BudgetLedger,
  limit: keyof Budget,
  now: number,
): PantheonError {
  return new PantheonError(
    `Conversation "${conversationId}" is over its budget: ${limit} ${spentOn(ledger, limit, now)} of ${ledger.limit[limit]}`,
    'BUDGET_EXCEEDED',
    { conversationId, limit, max: ledger.limit[limit], spent: { ...ledger.spent } },
  );
}

function isLedger(value: unknown): value is BudgetLedger {
  if (typeof value !== 'object' || value === null) return false;
  const { limit, spent } = value as Partial<BudgetLedger>;
  return (
    typeof limit === 'object' &&
    limit !== null &&
    typeof spent === 'object' &&
    spent !== null &&
    typeof spent.modelCalls === 'number' &&
    typeof spent.tokens === 'number' &&
    typeof spent.toolCalls === 'number' &&
    typeof spent.cost === 'number' &&
    typeof spent.startedAt === 'number'
  );
}

/**
 * The budgets of the conversations a system takes part in, by conversation id (the most recent
 * `maxTracked`; a forgotten one comes back with the next message that carries it).
 */
export class ConversationBudgets {
  private readonly ledgers = new Map<string, BudgetLedger>();

  constructor(
    private readonly now: () => number,
    private readonly prices: PriceTable | undefined,
    private readonly maxTracked = 10_000,
  ) {}

  /** True once any conversation has a budget here. */
  get active(): boolean {
    return this.ledgers.size > 0;
  }

  /** Starts a conversation's budget, or keeps the one it has. */
  open(conversationId: string, limit: Budget): BudgetLedger {
    const known = this.ledgers.get(conversationId);
    if (known) return known;
    return this.track(conversationId, startLedger(limit, this.now()));
  }

  get(conversationId: string | undefined): BudgetLedger | undefined {
    return conversationId === undefined ? undefined : this.ledgers.get(conversationId);
  }

  /**
   * The conversation's ledger after taking in what a message carried (`metadata.budget`): the
   * larger of each spending, the earlier start. Undefined when neither knows a budget.
   */
  merge(conversationId: string | undefined, carried: unknown): BudgetLedger | undefined {
    if (conversationId === undefined) return undefined;
    const known = this.ledgers.get(conversationId);
    if (!isLedger(carried) || carried === known) return known;
    if (!known) {
      return this.track(conversationId, {
        limit: { ...carried.limit },
        spent: { ...carried.spent },
      });
    }
    const { spent } = known;
    spent.modelCalls = Math.max(spent.modelCalls, carried.spent.modelCalls);
    spent.tokens = Math.max(spent.tokens, carried.spent.tokens);
    spent.toolCalls = Math.max(spent.toolCalls, carried.spent.toolCalls);
    spent.cost = Math.max(spent.cost, carried.spent.cost);
    spent.startedAt = Math.min(spent.startedAt, carried.spent.startedAt);
    return known;
  }

  /** The error to stop the conversation with when it is over budget, else undefined. */
  check(conversationId: string, ledger: BudgetLedger): PantheonError | undefined {
    const now = this.now();
    const limit = exceededLimit(ledger, now);
    return limit && budgetExceeded(conversationId, ledger, limit, now);
  }

  /** A model port that refuses calls over budget and charges each reply to the ledger. */
  llm(llm: LlmPort, conversationId: string, ledger: BudgetLedger): LlmPort {
    const charge = (reply: Message, requested: string | undefined) => {
      ledger.spent.modelCalls++;
      const usage = reply.metadata?.usage as { inputTokens?: number; outputTokens?: number };
      const input = usage?.inputTokens ?? 0;
      const output = usage?.outputTokens ?? 0;
      ledger.spent.tokens += input + output;
      const model = (reply.metadata?.model as string | undefined) ?? requested;
      const price = model === undefined ? undefined : this.prices?.[model];
      if (price) ledger.spent.cost += (input * price.input + output * price.output) / 1_000_000;
    };
    const budgeted: LlmPort = {
      complete: async (messages, options) => {
        const over = this.check(conversationId, ledger);
        if (over) throw over;
        const reply = await llm.complete(messages, options);
        charge(reply, options?.model);
        return reply;
      },
    };
    if (llm.stream) {
      const stream = llm.stream.bind(llm);
      const check = () => this.check(conversationId, ledger);
      budgeted.stream = async function* (messages, options) {
        const over = check();
        if (over) throw over;
        for await (const event of stream(messages, options)) {
          if (event.type === 'finish') charge(event.message, options?.model);
          yield event;
        }
      };
    }
    return budgeted;
  }

  /** A tool port that refuses calls over budget and counts each call. */
  tools(tools: ToolPort, conversationId: string, ledger: BudgetLedger): ToolPort {
    const budgeted: ToolPort = {
      register: (tool) => tools.register(tool),
      invoke: (name, args, options) => {
        const over = this.check(conversationId, ledger);
        if (over) return Promise.reject(over);
        ledger.spent.toolCalls++;
        return tools.invoke(name, args, options);
      },
    };
    if (tools.list) budgeted.list = () => tools.list!();
    if (tools.unregister) budgeted.unregister = (name) => tools.unregister!(name);
    return budgeted;
  }

  private track(conversationId: string, ledger: BudgetLedger): BudgetLedger {
    if (this.ledgers.size >= this.maxTracked) {
      const oldest = this.ledgers.keys().next().value;
      if (oldest !== undefined) this.ledgers.delete(oldest);
    }
    this.ledgers.set(conversationId, ledger);
    return ledger;
  }
}

import type { Message } from '@promethean-os/pantheon-core';

/** A retrieved message with the relevance that decides what a budget drops first. */
export interface RankedMessage {
  message: Message;
  score: number;
}

/** The sections of a compiled context, in output order. */
export interface ContextParts {
  /** `text`, `url` and `file` sources, in declaration order. */
  sources: readonly Message[];
  /** Retrieved documents, in retrieval order. */
  retrieved: readonly RankedMessage[];
  /** History, oldest first. */
  history: readonly Message[];
  /** The input texts; never dropped. */
  inputs: readonly Message[];
}

/** Bounds on a compiled context. Each is optional; all given bounds must hold. */
export interface ContextBudget {
  /** At most this many messages. */
  limit?: number | undefined;
  /** At most this many characters of `content` in total. */
  maxChars?: number | undefined;
  /** At most this many tokens of `content` in total, as counted by `countTokens`. */
  maxTokens?: number | undefined;
  /** Counts the tokens of a text; defaults to `estimateTokens`. */
  countTokens?: ((text: string) => number) | undefined;
}

/**
 * A rough token count (one token per four characters, rounded up). Pass your model's tokenizer
 * as `countTokens` when the budget must be exact.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

const INPUT_METADATA = Object.freeze({ source: 'input' });

/** One `user` message per input text; `name` is the sending actor when there is one. */
export function inputMessages(texts: readonly string[] | undefined, from?: string): Message[] {
  if (!texts || texts.length === 0) return [];
  return texts.map((text) => {
    const message: Message = { role: 'user', content: text, metadata: INPUT_METADATA };
    if (from !== undefined) message.name = from;
    return message;
  });
}

/**
 * Concatenates the parts in output order (sources, retrieved documents, history, input) within
 * `budget`. Over budget, the lowest-value material goes first: retrieved documents from the
 * lowest score up (ties: the one retrieved last), then history from the oldest, then sources from
 * the last; the input is always kept, even when it alone exceeds the budget.
 */
export function assembleContext(parts: ContextParts, budget: ContextBudget = {}): Message[] {
  const { sources, retrieved, history, inputs } = parts;
  const { limit, maxChars, maxTokens } = budget;
  if (limit === undefined && maxChars === undefined && maxTokens === undefined) {
    const out: Message[] = [...sources];
    for (const ranked of retrieved) out.push(ranked.message);
    for (const message of history) out.push(message);
    for (const message of inputs) out.push(message);
    return out;
  }

  const countTokens = budget.countTokens ?? estimateTokens;
  const all: Message[] = [...sources, ...retrieved.map((ranked) => ranked.message), ...history];
  const tokens = maxTokens === undefined ? undefined : all.map((m) => countTokens(m.content));
  let count = all.length + inputs.length;
  let chars = 0;
  let tokenTotal = 0;
  for (const message of [...all, ...inputs]) chars += message.content.length;
  if (tokens) {
    for (const value of tokens) tokenTotal += value;
    for (const message of inputs) tokenTotal += countTokens(message.content);
  }
  const over = () =>
    (limit !== undefined && count > limit) ||
    (maxChars !== undefined && chars > maxChars) ||
    (maxTokens !== undefined && tokenTotal > maxTokens);

  // Indexes into `all`, in the order they are dropped.
  const retrievedStart = sources.length;
  const historyStart = retrievedStart + retrieved.length;
  const dropOrder: number[] = retrieved
    .map((ranked, index) => ({ score: ranked.score, index }))
    .sort((a, b) => a.score - b.score || b.index - a.index)
    .map(({ index }) => retrievedStart + index);
  for (let index = 0; index < history.length; index++) dropOrder.push(historyStart + index);
  for (let index = sources.length - 1; index >= 0; index--) dropOrder.push(index);

  const dropped = new Uint8Array(all.length);
  for (const index of dropOrder) {
    if (!over()) break;
    dropped[index] = 1;
    count--;
    chars -= all[index]!.content.length;
    if (tokens) tokenTotal -= tokens[index]!;
  }
  const out: Message[] = [];
  for (let index = 0; index < all.length; index++) if (!dropped[index]) out.push(all[index]!);
  for (const message of inputs) out.push(message);
  return out;
}

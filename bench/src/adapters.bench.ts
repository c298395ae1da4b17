import {
  DEFAULT_SEARCH_OPTIONS,
  InMemoryContextAdapter,
  InMemoryToolAdapter,
  processSearchTerm,
} from '@promethean-os/pantheon-adapters';
import MiniSearch from 'minisearch';
import { addTool } from './fixtures';
import { type Measurement, measure, medianRatio } from './measure';

const DOCUMENT_COUNT = 10_000;
const WORDS_PER_DOCUMENT = 40;
const QUERY_LIMIT = 5;
const SYLLABLES = ['ka', 'ri', 'to', 'ne', 'su', 'mo', 'la', 'pe', 'di', 'fu', 'zo', 'bi', 'ha'];
const TOPICS = ['refund', 'shipping', 'invoice', 'password', 'warranty', 'delivery', 'order'];

/**
 * Deterministic documents: 40 words each from a 3,000-word synthetic vocabulary, one in ten of
 * them a support topic, so a question's words match a realistic share of the collection.
 */
function documents() {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const vocabulary = Array.from({ length: 3000 }, () =>
    Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(SYLLABLES)).join(''),
  );
  return Array.from({ length: DOCUMENT_COUNT }, (_, index) => {
    const words: string[] = [];
    for (let word = 0; word < WORDS_PER_DOCUMENT; word++) {
      words.push(random() < 0.1 ? pick(TOPICS) : pick(vocabulary));
    }
    return {
      id: `doc-${index}`,
      content: words.join(' '),
      metadata: { category: index % 2 === 0 ? 'faq' : 'guide' },
    };
  });
}

const QUESTION = 'how long does a refund take for my order';

/**
 * One compile (a text source, the best five of 10,000 stored documents for a question, the
 * input), next to MiniSearch queried directly with the same options, filter and limit.
 */
async function benchContext(results: Measurement[]): Promise<void> {
  const stored = documents();
  const raw = new MiniSearch({
    idField: 'id',
    fields: ['title', 'content'],
    processTerm: processSearchTerm,
    searchOptions: DEFAULT_SEARCH_OPTIONS,
  });
  raw.addAll(stored.map((document) => ({ ...document, title: '' })));
  const byId = new Map(stored.map((document) => [document.id, document]));
  results.push(
    await measure(
      'raw-minisearch.query-10k',
      () => {
        const hits = raw.search(QUESTION, {
          filter: (hit) => byId.get(hit.id)?.metadata.category === 'faq',
        });
        return hits
          .slice(0, QUERY_LIMIT)
          .map((hit) => ({ role: 'system', content: byId.get(hit.id)!.content, score: hit.score }));
      },
      { iterations: 300, warmup: 50 },
    ),
  );

  const context = new InMemoryContextAdapter({ documents: stored, queryLimit: QUERY_LIMIT });
  const options = {
    texts: [QUESTION],
    sources: [
      { type: 'text' as const, content: 'Be brief.' },
      { id: 'kb', where: { category: 'faq' } },
    ],
  };
  const check = await context.compile(options);
  if (check.length !== QUERY_LIMIT + 2)
    throw new Error('the benchmark compile retrieved too little');
  results.push(
    await measure('compile.query-10k', () => context.compile(options), {
      iterations: 300,
      warmup: 50,
    }),
  );
}

/** One validated `invoke`, next to calling the tool function directly. */
async function benchTool(results: Measurement[]): Promise<void> {
  const args = { a: 1, b: 2 };
  results.push(await measure('raw-call.tool', () => addTool.execute(args)));
  const tools = new InMemoryToolAdapter();
  tools.register(addTool);
  if ((await tools.invoke('add', args)) !== 3) throw new Error('the benchmark tool call failed');
  results.push(await measure('invoke.tool-validated', () => tools.invoke('add', args)));
}

/** Medians of context compilation and tool invocation, each next to its raw baseline. */
export async function benchAdapters(): Promise<{
  documents: number;
  results: Measurement[];
  ratios: Record<string, number>;
}> {
  const results: Measurement[] = [];
  await benchContext(results);
  await benchTool(results);
  return {
    documents: DOCUMENT_COUNT,
    results,
    ratios: {
      'compile.query-10k / raw-minisearch.query-10k': medianRatio(
        results,
        'compile.query-10k',
        'raw-minisearch.query-10k',
      ),
      'invoke.tool-validated / raw-call.tool': medianRatio(
        results,
        'invoke.tool-validated',
        'raw-call.tool',
      ),
    },
  };
}

import type { SearchOptions } from 'minisearch';

/** Common English words that say nothing about what a text is about. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have how i if in into ' +
    'is it its me my no not of on or our so than that the their them then there these they this ' +
    'to too us was we were what when where which who whom why will with would you your'
  ).split(' '),
);

/**
 * How `InMemoryContextAdapter` turns a word into an index term by default: lower-cased, with
 * common English stop words dropped (so a question's "how", "does", "my" cost nothing).
 */
export function processSearchTerm(term: string): string | null {
  const lower = term.toLowerCase();
  return STOP_WORDS.has(lower) ? null : lower;
}

/**
 * The MiniSearch options of every `InMemoryContextAdapter` query by default: any term may match
 * (`OR`), terms of four letters or more also match as prefixes ("refund" finds "refunds"), and
 * `title` weighs twice `content`. Fuzzy matching is off: it costs several times more per query
 * on large collections; turn it on with `searchOptions: { fuzzy: 0.2 }`.
 */
export const DEFAULT_SEARCH_OPTIONS: Readonly<SearchOptions> = Object.freeze({
  combineWith: 'OR',
  prefix: (term: string) => term.length >= 4,
  fuzzy: false,
  boost: { title: 2 },
});

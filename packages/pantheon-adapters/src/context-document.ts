import { ContextError } from '@promethean-os/pantheon-core';

/** A document a context adapter retrieves through named query sources. */
export interface ContextDocument {
  id: string;
  content: string;
  /** Searched with twice the weight of `content` by default. */
  title?: string;
  /** What a named source's `where` filters on. */
  metadata?: Record<string, unknown>;
}

/** A `CONTEXT_INVALID_DOCUMENT` error. */
export function invalidDocument(reason: string, details: Record<string, unknown>): ContextError {
  return new ContextError(`Invalid document: ${reason}`, details, {
    code: 'CONTEXT_INVALID_DOCUMENT',
  });
}

/** `document` as a `ContextDocument`, or `CONTEXT_INVALID_DOCUMENT` naming the field at `at`. */
export function checkDocument(document: unknown, at: string): ContextDocument {
  const candidate = document as Partial<ContextDocument> | null;
  if (typeof candidate !== 'object' || candidate === null) {
    throw invalidDocument(`${at} is not an object`, { path: at });
  }
  if (typeof candidate.id !== 'string' || candidate.id === '') {
    throw invalidDocument(`${at}.id must be a non-empty string`, { path: `${at}.id` });
  }
  if (typeof candidate.content !== 'string') {
    throw invalidDocument(`${at}.content must be a string`, { path: `${at}.content` });
  }
  if (candidate.title !== undefined && typeof candidate.title !== 'string') {
    throw invalidDocument(`${at}.title must be a string`, { path: `${at}.title` });
  }
  const metadata = candidate.metadata;
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null)) {
    throw invalidDocument(`${at}.metadata must be an object`, { path: `${at}.metadata` });
  }
  return candidate as ContextDocument;
}

import { APICallError } from '@ai-sdk/provider';

/** How `withRetries` retries. */
export interface RetrySettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Wait before the first retry, doubled before each further one. */
  initialDelayMs: number;
  signal?: AbortSignal | undefined;
}

// A server's retry-after beyond this is not waited for; the exponential delay is used instead.
const MAX_RETRY_AFTER_MS = 60_000;

/** The wait a failed call's `retry-after-ms` or `retry-after` header asks for, if sensible. */
export function retryAfterMs(error: APICallError): number | undefined {
  const headers = error.responseHeaders ?? {};
  const header = (name: string) =>
    Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const milliseconds = Number.parseFloat(header('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const retryAfter = header('retry-after');
  if (retryAfter === undefined) return undefined;
  const seconds = Number.parseFloat(retryAfter);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt`, and again after a failure that the provider marked retryable
 * (`APICallError.isRetryable`: 408, 409, 429, 5xx and connection failures), up to
 * `maxRetries` times — with exponential backoff, or the server's `retry-after-ms` / `retry-after`
 * when it asks for less than a minute; as the AI SDK's `generateText` does, since the spec leaves
 * retries to its caller. The last failure is thrown as it is.
 */
export async function withRetries<T>(
  attempt: () => PromiseLike<T>,
  settings: RetrySettings,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = APICallError.isInstance(error) && error.isRetryable;
      if (!retryable || retry >= settings.maxRetries || settings.signal?.aborted) throw error;
      const backoff = settings.initialDelayMs * 2 ** retry;
      const asked = retryAfterMs(error);
      await delay(
        asked !== undefined && asked < MAX_RETRY_AFTER_MS ? asked : backoff,
        settings.signal,
      );
    }
  }
}

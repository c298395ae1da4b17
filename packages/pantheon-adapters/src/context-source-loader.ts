import {
  ContextError,
  type ContextSource,
  type Message,
  PantheonError,
  type Scheduler,
} from '@promethean-os/pantheon-core';
import { errorMessage, withTimeout } from '@promethean-os/pantheon-core/adapter-kit';
import { isNonPublicHost, resolvesToNonPublic } from './network-policy';

type TextSource = Extract<ContextSource, { type: 'text' }>;
type UrlSource = Extract<ContextSource, { type: 'url' }>;
type FileSource = Extract<ContextSource, { type: 'file' }>;

/** A source that is loaded into one `system` message: `text`, `url` or `file`. */
export type LoadableSource = TextSource | UrlSource | FileSource;

/** How `url` and `file` sources are loaded. */
export interface SourceLoadingOptions {
  /** The `fetch` used for `url` sources; defaults to the global one. */
  fetch?: typeof fetch;
  /** Abandon a `url` source after this many milliseconds (`CONTEXT_SOURCE_TIMEOUT`). Default 10,000. */
  fetchTimeoutMs?: number;
  /** Largest `url` response or `file` accepted, in bytes (`CONTEXT_SOURCE_TOO_LARGE`). Default 1 MiB. */
  maxSourceBytes?: number;
  /**
   * Which URLs may be fetched (`CONTEXT_SOURCE_DENIED` otherwise). When given, it decides alone.
   * By default only the public internet is: loopback, private, link-local (cloud metadata) and
   * other non-public addresses are denied, literally and after DNS resolution, unless
   * `allowPrivateNetwork` is set. Protocols other than `http:` and `https:` are
   * `CONTEXT_SOURCE_UNSUPPORTED` either way.
   */
  allowUrl?: (url: URL) => boolean;
  /** Lets the default URL policy reach loopback and private networks. Default `false`. */
  allowPrivateNetwork?: boolean;
  /**
   * The directory `file` sources are read from: they must resolve (symbolic links followed)
   * inside it, and relative paths are resolved against it. Without it, `file` sources are
   * `CONTEXT_SOURCE_DENIED` — a script (possibly written by a model, through a `spawn` action)
   * never reads arbitrary files.
   */
  fileRoot?: string;
  /** Timer for `fetchTimeoutMs`. */
  scheduler: Scheduler;
}

const DEFAULT_FETCH_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_SOURCE_BYTES = 1024 * 1024;

function sourceMessage(
  source: LoadableSource,
  content: string,
  where: Record<string, unknown>,
): Message {
  return {
    role: 'system',
    content,
    metadata: { ...source.metadata, source: source.type, ...where },
  };
}

/** The `system` message of a `text` source. */
export function textSourceMessage(source: TextSource): Message {
  return sourceMessage(source, source.content, {});
}

function tooLarge(kind: string, location: Record<string, unknown>, maxBytes: number, size: number) {
  return new ContextError(
    `The ${kind} source is larger than ${maxBytes} bytes`,
    { sourceType: kind, ...location, maxBytes, size },
    { code: 'CONTEXT_SOURCE_TOO_LARGE' },
  );
}

function failed(kind: string, location: Record<string, unknown>, reason: string, cause?: unknown) {
  return new ContextError(
    `Could not load the ${kind} source: ${reason}`,
    { sourceType: kind, ...location },
    { code: 'CONTEXT_SOURCE_FAILED', cause },
  );
}

/** Reads a response body, giving up (and cancelling the stream) past `maxBytes`. */
async function readCapped(response: Response, url: string, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge('url', { url }, maxBytes, declared);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge('url', { url }, maxBytes, size);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Loads `text`, `url` and `file` context sources into `system` messages whose `metadata` is the
 * source's own plus `source` (the kind) and `url` or `path`. Every failure is a `ContextError`:
 * `CONTEXT_SOURCE_TOO_LARGE`, `CONTEXT_SOURCE_TIMEOUT`, `CONTEXT_SOURCE_DENIED`,
 * `CONTEXT_SOURCE_UNSUPPORTED` (a URL protocol other than http/https) or `CONTEXT_SOURCE_FAILED`
 * (HTTP error status, network or file-system error; the original error is `cause`).
 */
export class ContextSourceLoader {
  private readonly fetch: typeof fetch | undefined;
  private readonly fetchTimeoutMs: number;
  private readonly maxBytes: number;
  private readonly allowUrl: ((url: URL) => boolean) | undefined;
  private readonly allowPrivateNetwork: boolean;
  private readonly fileRoot: string | undefined;
  private readonly scheduler: Scheduler;

  constructor(options: SourceLoadingOptions) {
    this.fetch = options.fetch;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
    this.maxBytes = options.maxSourceBytes ?? DEFAULT_MAX_SOURCE_BYTES;
    this.allowUrl = options.allowUrl;
    this.allowPrivateNetwork = options.allowPrivateNetwork ?? false;
    this.fileRoot = options.fileRoot;
    this.scheduler = options.scheduler;
  }

  /** The message of one source. */
  async load(source: LoadableSource, signal?: AbortSignal): Promise<Message> {
    switch (source.type) {
      case 'text':
        return textSourceMessage(source);
      case 'url':
        return sourceMessage(source, await this.loadUrl(source.url, signal), { url: source.url });
      case 'file':
        return sourceMessage(source, await this.loadFile(source.path), { path: source.path });
    }
  }

  private async loadUrl(address: string, signal: AbortSignal | undefined): Promise<string> {
    let url: URL;
    try {
      url = new URL(address);
    } catch (error) {
      throw failed('url', { url: address }, 'not a valid URL', error);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ContextError(
        `Only http and https URLs can be loaded, not ${url.protocol}`,
        { sourceType: 'url', url: address },
        { code: 'CONTEXT_SOURCE_UNSUPPORTED' },
      );
    }
    const denied = (reason: string) =>
      new ContextError(
        `The URL ${address} is not allowed: ${reason}`,
        { sourceType: 'url', url: address },
        { code: 'CONTEXT_SOURCE_DENIED' },
      );
    const checkResolved = !this.allowUrl && !this.allowPrivateNetwork;
    if (this.allowUrl) {
      if (!this.allowUrl(url)) throw denied('allowUrl refused it');
    } else if (checkResolved && isNonPublicHost(url)) {
      throw denied('it is not on the public internet (set allowPrivateNetwork or allowUrl)');
    }
    const fetchImpl = this.fetch ?? globalThis.fetch;
    const timeoutMs = this.fetchTimeoutMs;
    return withTimeout(
      this.scheduler,
      timeoutMs,
      signal,
      () =>
        new ContextError(
          `The url source ${address} did not load within ${timeoutMs} ms`,
          { sourceType: 'url', url: address, timeoutMs },
          { code: 'CONTEXT_SOURCE_TIMEOUT' },
        ),
      async (timeoutSignal) => {
        if (checkResolved && (await resolvesToNonPublic(url.hostname))) {
          throw denied(
            'its name resolves to a non-public address (set allowPrivateNetwork or allowUrl)',
          );
        }
        let response: Response;
        try {
          response = await fetchImpl(url, { signal: timeoutSignal });
        } catch (error) {
          throw failed('url', { url: address }, errorMessage(error), error);
        }
        if (!response.ok) {
          await response.body?.cancel();
          throw failed('url', { url: address, status: response.status }, `HTTP ${response.status}`);
        }
        try {
          return await readCapped(response, address, this.maxBytes);
        } catch (error) {
          if (PantheonError.isInstance(error)) throw error;
          throw failed('url', { url: address }, errorMessage(error), error);
        }
      },
    );
  }

  private async loadFile(filePath: string): Promise<string> {
    const [{ open, realpath }, { isAbsolute, relative, resolve }] = await Promise.all([
      import('node:fs/promises'),
      import('node:path'),
    ]);
    const location = { path: filePath };
    const fileRoot = this.fileRoot;
    if (fileRoot === undefined) {
      throw new ContextError(
        `The file ${filePath} cannot be read: file sources need a fileRoot to read from`,
        { sourceType: 'file', ...location },
        { code: 'CONTEXT_SOURCE_DENIED' },
      );
    }
    try {
      const [root, real] = await Promise.all([
        realpath(fileRoot),
        realpath(resolve(fileRoot, filePath)),
      ]);
      const inside = relative(root, real);
      if (inside.startsWith('..') || isAbsolute(inside)) {
        throw new ContextError(
          `The file ${filePath} is outside ${fileRoot}`,
          { sourceType: 'file', ...location, fileRoot },
          { code: 'CONTEXT_SOURCE_DENIED' },
        );
      }
      const handle = await open(real, 'r');
      try {
        const stats = await handle.stat();
        if (!stats.isFile()) throw failed('file', location, 'not a regular file');
        if (stats.size > this.maxBytes) throw tooLarge('file', location, this.maxBytes, stats.size);
        const content = await handle.readFile();
        // The file may have grown between stat and read.
        if (content.byteLength > this.maxBytes) {
          throw tooLarge('file', location, this.maxBytes, content.byteLength);
        }
        return content.toString('utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (PantheonError.isInstance(error)) throw error;
      throw failed('file', location, errorMessage(error), error);
    }
  }
}

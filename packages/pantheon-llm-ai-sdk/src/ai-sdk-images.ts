import type { LanguageModelV4, LanguageModelV4FilePart } from '@ai-sdk/provider';
import { LlmError } from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';

/** What `ImageDownloader` returns: the bytes and, when the server said, their media type. */
export interface DownloadedImage {
  data: Uint8Array;
  mediaType?: string | undefined;
}

/** Fetches an image URL that the model does not take as a URL. */
export type ImageDownloader = (url: URL, signal?: AbortSignal) => Promise<DownloadedImage>;

/** Where an image comes from, for its errors. */
export interface ImageSource {
  provider: string;
  /** Index of the message in the call's messages. */
  index: number;
}

const extensionMediaTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  heic: 'image/heic',
  pdf: 'application/pdf',
};

function badImage(message: string, source: ImageSource, details: Record<string, unknown>) {
  return new LlmError(
    message,
    { index: source.index, ...details },
    {
      code: 'LLM_BAD_REQUEST',
      provider: source.provider,
      retryable: false,
    },
  );
}

/** `data:image/png;base64,…` as a file part; percent-encoded data URLs are decoded to bytes. */
function dataUrlPart(url: string, source: ImageSource): LanguageModelV4FilePart {
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!match) throw badImage(`Message ${source.index} has a malformed data URL`, source, {});
  const mediaType = (match[1] || 'text/plain').toLowerCase();
  const base64 = /;base64/i.test(match[2] ?? '');
  const payload = match[3] ?? '';
  let data: string | Uint8Array;
  try {
    data = base64 ? payload : new TextEncoder().encode(decodeURIComponent(payload));
  } catch (error) {
    throw badImage(
      `Message ${source.index} has a data URL that cannot be decoded: ${errorMessage(error)}`,
      source,
      {},
    );
  }
  return { type: 'file', mediaType, data: { type: 'data', data } };
}

/** The media type an URL's file extension suggests, else `'image'` (any image). */
export function guessMediaType(url: URL): string {
  const extension = /\.([a-z0-9]+)$/i.exec(url.pathname)?.[1]?.toLowerCase();
  return (extension && extensionMediaTypes[extension]) || 'image';
}

/**
 * Whether the model takes `url` as it is (its `supportedUrls`): the patterns listed under the
 * full media type, its `type/*`, or `*\/*`, matched against the lower-cased URL.
 */
export function isSupportedUrl(
  url: URL,
  mediaType: string,
  supportedUrls: Record<string, RegExp[]>,
): boolean {
  const topLevel = mediaType.split('/')[0] ?? mediaType;
  const keys = new Set([mediaType, `${topLevel}/*`, topLevel, '*/*', '*']);
  const href = url.toString().toLowerCase();
  return Object.entries(supportedUrls).some(
    ([key, patterns]) =>
      keys.has(key.toLowerCase()) && patterns.some((pattern) => pattern.test(href)),
  );
}

/** The default `ImageDownloader`: the global `fetch`, with the call's signal. */
export const fetchImage: ImageDownloader = async (url, signal) => {
  const response = await fetch(url, { signal });
  if (!response.ok) {
    throw Object.assign(new Error(`HTTP ${response.status} ${response.statusText}`.trim()), {
      status: response.status,
    });
  }
  const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim();
  return { data: new Uint8Array(await response.arrayBuffer()), mediaType: mediaType || undefined };
};

/** How `imagePart` treats URLs. */
export interface ImageOptions {
  model: LanguageModelV4;
  /** Fetches http(s) URLs the model does not take natively; `false` sends every URL as is. */
  download: ImageDownloader | false;
  signal?: AbortSignal | undefined;
}

/**
 * One entry of a message's `images` as a file part: a data URL as its bytes; an http(s) URL
 * that the model takes natively (`supportedUrls`) as the URL; any other http(s) URL downloaded
 * (as the AI SDK's `generateText` does), unless `download` is `false`; other URLs (`gs://`,
 * `s3://`, …) as they are, for the providers that know them.
 */
export async function imagePart(
  image: string,
  source: ImageSource,
  options: ImageOptions,
): Promise<LanguageModelV4FilePart> {
  if (/^data:/i.test(image)) return dataUrlPart(image, source);
  let url: URL;
  try {
    url = new URL(image);
  } catch {
    throw badImage(
      `Message ${source.index} has an image that is neither a URL nor a data URL: ${image.slice(0, 100)}`,
      source,
      {},
    );
  }
  const mediaType = guessMediaType(url);
  const asUrl: LanguageModelV4FilePart = { type: 'file', mediaType, data: { type: 'url', url } };
  if (options.download === false || !/^https?:$/.test(url.protocol)) return asUrl;
  const supportedUrls = await options.model.supportedUrls;
  if (isSupportedUrl(url, mediaType, supportedUrls)) return asUrl;
  let downloaded: DownloadedImage;
  try {
    downloaded = await options.download(url, options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new LlmError(
      `Could not download the image ${url} of message ${source.index} (the model takes no image URLs, so it is sent as data): ${errorMessage(error)}`,
      { index: source.index, url: url.toString() },
      { code: 'LLM_BAD_REQUEST', provider: source.provider, retryable: false, cause: error },
    );
  }
  const served = downloaded.mediaType?.toLowerCase();
  return {
    type: 'file',
    mediaType: served?.includes('/') && served !== 'application/octet-stream' ? served : mediaType,
    data: { type: 'data', data: downloaded.data },
  };
}

import { PantheonError, type PantheonErrorCode } from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';
import { API_TOKEN_VARIABLE } from '../config/config-environment';
import { loadConfig } from '../config/load-config';
import { type CliArguments, type CliIo, stringOption } from './command';
import { usageError } from './user-errors';

/** The variable `ask`, `actors` and `health` read the instance's URL from, before the config. */
export const URL_VARIABLE = 'PANTHEON_URL';

const ANY_INTERFACE = new Set(['0.0.0.0', '::', '[::]']);

/**
 * The base URL of the running instance: `--url`, else `PANTHEON_URL`, else the configuration's
 * `http` (host and port; a server listening on every interface is reached on 127.0.0.1).
 */
export async function instanceUrl(args: CliArguments, io: CliIo): Promise<URL> {
  const given = stringOption(args, 'url') ?? io.env[URL_VARIABLE]?.trim();
  if (given) {
    try {
      return new URL(given);
    } catch {
      throw usageError(`"${given}" is not a URL (expected e.g. http://127.0.0.1:3000)`, {
        url: given,
      });
    }
  }
  const config = await loadConfig({ cwd: io.cwd, file: stringOption(args, 'config'), env: io.env });
  const host = ANY_INTERFACE.has(config.http.host) ? '127.0.0.1' : config.http.host;
  return new URL(`http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`);
}

/** A JSON answer of the instance. */
export interface InstanceResponse {
  status: number;
  body: unknown;
}

/**
 * Sends a request to the instance with its token (`PANTHEON_API_TOKEN`) and reads the JSON
 * answer. Nothing listening, or no answer within `timeoutMs`, is `INSTANCE_UNREACHABLE`.
 */
export async function request(
  io: CliIo,
  url: URL,
  init: { method?: string; body?: unknown; timeoutMs: number },
): Promise<InstanceResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = io.env[API_TOKEN_VARIABLE]?.trim();
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${init.timeoutMs} ms`
        : errorMessage(cause ?? error);
    throw new PantheonError(
      `No Pantheon instance answers at ${url.origin} (${reason}). Start one with \`pantheon start\`, or point --url (or PANTHEON_URL) at it`,
      'INSTANCE_UNREACHABLE',
      { url: url.origin },
      { cause: error },
    );
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (e.g. a proxy's error page): kept as text.
  }
  return { status: response.status, body };
}

/** The error the instance answered with (`{ error: { code, message } }`), as a Pantheon error. */
export function instanceError(response: InstanceResponse, url: URL): PantheonError {
  const error = (response.body as { error?: { code?: unknown; message?: unknown } } | undefined)
    ?.error;
  if (typeof error?.message !== 'string' || typeof error.code !== 'string') {
    return new PantheonError(
      `The server at ${url.origin} answered HTTP ${response.status} without a Pantheon error: is it a Pantheon instance?`,
      'INSTANCE_UNREACHABLE',
      { url: url.origin, status: response.status },
    );
  }
  const { message } = error;
  const code = error.code as PantheonErrorCode;
  return new PantheonError(message, code, { url: url.origin, status: response.status });
}

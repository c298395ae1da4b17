import { API_TOKEN_VARIABLE } from '../../config/config-environment';
import { type CliCommand, CONFIG_OPTION, stringOption, URL_OPTION } from '../command';
import { instanceError, instanceUrl, request, URL_VARIABLE } from '../instance-client';
import { usageError } from '../user-errors';

const DEFAULT_TIMEOUT_MS = 30_000;

const usage = `Usage: pantheon ask <actor> "<message>" [options]

Asks an actor of a running instance (\`pantheon start\`) and prints its answer.

Options:
  --url <url>            the instance (default: ${URL_VARIABLE}, else http.host:http.port of the configuration)
  --config <file>        the configuration file to read http from
  --timeout <ms>         how long the actor may take to answer (default ${DEFAULT_TIMEOUT_MS})
  --conversation <id>    continue a conversation (its id is printed with --json)
  --json                 print the whole reply as JSON: { id, from, content, conversationId }
  -h, --help             show this help

Sends ${API_TOKEN_VARIABLE} as a bearer token when it is set.
`;

export const command: CliCommand = {
  name: 'ask',
  usage,
  options: {
    ...URL_OPTION,
    ...CONFIG_OPTION,
    timeout: { type: 'string' },
    conversation: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 2, max: 2 },
  async run(args, io) {
    const [actor, message] = args.positionals as [string, string];
    const timeout = stringOption(args, 'timeout') ?? String(DEFAULT_TIMEOUT_MS);
    if (!/^\d+$/.test(timeout) || Number(timeout) <= 0) {
      throw usageError(`--timeout must be a whole number of milliseconds, got "${timeout}"`);
    }
    const timeoutMs = Number(timeout);
    const base = await instanceUrl(args, io);
    const url = new URL(`actors/${encodeURIComponent(actor)}/ask`, base);
    const response = await request(io, url, {
      method: 'POST',
      body: { message, timeoutMs, conversationId: stringOption(args, 'conversation') },
      // The instance answers ASK_TIMEOUT itself; this only bounds a server that hangs.
      timeoutMs: timeoutMs + 10_000,
    });
    if (response.status !== 200) throw instanceError(response, base);
    const reply = (response.body as { reply: { content: string } }).reply;
    io.stdout(args.values.json === true ? `${JSON.stringify(reply)}\n` : `${reply.content}\n`);
    return 0;
  },
};

import { PantheonError } from '@promethean-os/pantheon-core';
import { type CliCommand, CONFIG_OPTION, stringOption, URL_OPTION } from '../command';
import { instanceUrl, request, URL_VARIABLE } from '../instance-client';
import { EXIT_FAILURE, usageError } from '../user-errors';

const DEFAULT_TIMEOUT_MS = 3_000;

const usage = `Usage: pantheon health [--ready] [options]

Checks a running instance: exits 0 when GET /healthz answers 200 (the process is alive), 1
otherwise. With --ready, GET /readyz instead (the app runs and its database and bus answer).
Made for a container's HEALTHCHECK:

  HEALTHCHECK CMD ["node_modules/.bin/pantheon", "health", "--url", "http://127.0.0.1:3000"]

Options:
  --ready          check readiness rather than liveness
  --url <url>      the instance (default: ${URL_VARIABLE}, else http.host:http.port of the configuration)
  --config <file>  the configuration file to read http from
  --timeout <ms>   how long to wait for the answer (default ${DEFAULT_TIMEOUT_MS})
  -h, --help       show this help
`;

export const command: CliCommand = {
  name: 'health',
  usage,
  options: {
    ...URL_OPTION,
    ...CONFIG_OPTION,
    ready: { type: 'boolean' },
    timeout: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const timeout = stringOption(args, 'timeout') ?? String(DEFAULT_TIMEOUT_MS);
    if (!/^\d+$/.test(timeout) || Number(timeout) <= 0) {
      throw usageError(`--timeout must be a whole number of milliseconds, got "${timeout}"`);
    }
    const path = args.values.ready === true ? 'readyz' : 'healthz';
    const base = await instanceUrl(args, io);
    const response = await request(io, new URL(path, base), { timeoutMs: Number(timeout) });
    const status = (response.body as { status?: unknown } | undefined)?.status;
    if (response.status === 200) {
      io.stdout(`${path}: ${typeof status === 'string' ? status : 'ok'}\n`);
      return 0;
    }
    if (typeof status !== 'string') {
      throw new PantheonError(
        `The server at ${base.origin} answered /${path} with HTTP ${response.status}: is it a Pantheon instance?`,
        'INSTANCE_UNREACHABLE',
        { url: base.origin, status: response.status },
      );
    }
    io.stderr(`${path}: ${status} (HTTP ${response.status})\n${JSON.stringify(response.body)}\n`);
    return EXIT_FAILURE;
  },
};

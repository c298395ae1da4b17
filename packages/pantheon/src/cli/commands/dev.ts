import { dirname } from 'node:path';
import { CONFIG_FILE_NAMES, findConfigFile } from '../../config/config-file';
import { type CliCommand, CONFIG_OPTION, stringOption } from '../command';
import { DEV_CHILD_VARIABLE, type DevReady, missingEntry, runDevChild } from '../dev/dev-child';
import { superviseDev } from '../dev/dev-supervisor';
import { usageError } from '../user-errors';

const DEFAULT_INSPECTOR_PORT = 4319;

const usage = `Usage: pantheon dev [options]

Runs the app that the configuration's \`entry\` names, for development, and runs it again
whenever a source file or the configuration changes (node_modules, hidden folders and tests
aside). It prints:

  the app's address     on 127.0.0.1, http.port of the configuration (default 3000):
                        pantheon ask and pantheon actors talk to it
  the inspector         a web page with the actors, their messages, tool calls and ticks
  the model             the configured one, or the OFFLINE MOCK MODEL when its API key
                        (OPENAI_API_KEY, ANTHROPIC_API_KEY) is not set

Logs are readable lines (PANTHEON_LOG_FORMAT=json for JSON). Ctrl-C stops it. If the first start
fails, it says why and exits 1; a later failing restart waits for the next change.

Options:
  --config <file>          the configuration file (default: ${CONFIG_FILE_NAMES.join(', ')} here)
  --inspector-port <port>  the inspector's port (default ${DEFAULT_INSPECTOR_PORT}; 0: any free one)
  -h, --help               show this help
`;

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65_535) {
    throw usageError(`--inspector-port must be a port number (0 to 65535), got "${value}"`);
  }
  return Number(value);
}

export const command: CliCommand = {
  name: 'dev',
  usage,
  options: { ...CONFIG_OPTION, 'inspector-port': { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const config = stringOption(args, 'config');
    const inspectorPort = port(
      stringOption(args, 'inspector-port') ?? String(DEFAULT_INSPECTOR_PORT),
    );
    if (io.env[DEV_CHILD_VARIABLE] === '1' && process.send) {
      const send = process.send.bind(process);
      return runDevChild({ config, inspectorPort }, io, (message: DevReady) => send(message));
    }
    const file = findConfigFile(io.cwd, config);
    if (file === undefined && !io.env.PANTHEON_ENTRY?.trim()) throw missingEntry(file, io.cwd);
    const childArgs = [
      ...(config === undefined ? [] : ['--config', config]),
      '--inspector-port',
      String(inspectorPort),
    ];
    return superviseDev(
      {
        childArgs,
        root: file === undefined ? io.cwd : dirname(file),
        command: { execPath: process.execPath, args: [...process.execArgv, process.argv[1]!] },
        terminal: process.stdout.isTTY === true,
      },
      io,
    );
  },
};

import { API_TOKEN_VARIABLE } from '../../config/config-environment';
import { type CliCommand, CONFIG_OPTION, URL_OPTION } from '../command';
import { instanceError, instanceUrl, request, URL_VARIABLE } from '../instance-client';

const usage = `Usage: pantheon actors [options]

Lists the actors of a running instance (\`pantheon start\`): id, name, script, state, whether it
runs, and how many messages wait in its mailbox; in a cluster, every actor of the cluster with
its partition and the process that owns it.

Options:
  --url <url>      the instance (default: ${URL_VARIABLE}, else http.host:http.port of the configuration)
  --config <file>  the configuration file to read http from
  --json           print them as JSON
  -h, --help       show this help

Sends ${API_TOKEN_VARIABLE} as a bearer token when it is set.
`;

interface ListedActor {
  id: string;
  name: string;
  script: string;
  state: string;
  started: boolean;
  mailboxDepth: number;
  /** In a cluster. */
  partition?: number;
  owner?: string | null;
}

function table(actors: readonly ListedActor[]): string {
  const cluster = actors.some((actor) => actor.partition !== undefined);
  const rows = [
    [
      'ID',
      'NAME',
      'SCRIPT',
      'STATE',
      'RUNNING',
      'MAILBOX',
      ...(cluster ? ['PARTITION', 'OWNER'] : []),
    ],
    ...actors.map((actor) => [
      actor.id,
      actor.name,
      actor.script,
      actor.state,
      actor.started ? 'yes' : 'no',
      String(actor.mailboxDepth),
      ...(cluster ? [String(actor.partition ?? '-'), actor.owner ?? '-'] : []),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const command: CliCommand = {
  name: 'actors',
  usage,
  options: { ...URL_OPTION, ...CONFIG_OPTION, json: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const base = await instanceUrl(args, io);
    const response = await request(io, new URL('actors', base), { timeoutMs: 10_000 });
    if (response.status !== 200) throw instanceError(response, base);
    const { actors } = response.body as { actors: ListedActor[] };
    if (args.values.json === true) io.stdout(`${JSON.stringify(actors, null, 2)}\n`);
    else if (actors.length === 0) io.stdout('No actors.\n');
    else io.stdout(`${table(actors)}\n`);
    return 0;
  },
};

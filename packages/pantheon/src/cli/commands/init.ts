import { isAbsolute, relative, resolve } from 'node:path';
import { type CliCommand, stringOption } from '../command';
import { installedVersions } from '../init/app-package';
import { isPackageName, nameFromFolder, scaffoldApp } from '../init/scaffold';
import { usageError } from '../user-errors';

const usage = `Usage: pantheon init [dir] [options]

Creates a Pantheon app in dir (default: the current folder), which must be new or empty:

  package.json         @promethean-os/pantheon and the test tools; dev, start, test scripts
  pantheon.config.ts   the configuration: the app's entry, the model, the persistence
  src/app.ts           the app: its actors and tools
  src/actors/assistant/  an actor with a tool (current-time) and its test on a mock model
  README.md, tsconfig.json, Dockerfile, .dockerignore, .gitignore

Then: npm install && npm test, and npx pantheon dev.

Options:
  --name <name>  the package name (default: from the folder's name)
  --force        write into a non-empty folder: files of the same name are replaced, others kept
  -h, --help     show this help
`;

export const command: CliCommand = {
  name: 'init',
  usage,
  options: { name: { type: 'string' }, force: { type: 'boolean' } },
  positionals: { min: 0, max: 1 },
  async run(args, io) {
    const [given] = args.positionals;
    if (given === '') throw usageError('pantheon init: the folder must not be empty text');
    const dir = given === undefined ? io.cwd : isAbsolute(given) ? given : resolve(io.cwd, given);
    const name = stringOption(args, 'name') ?? nameFromFolder(dir);
    if (name === undefined) {
      throw usageError(
        `pantheon init: cannot make a package name of the folder "${dir}": pass --name <name> (lowercase letters, digits, "-", e.g. my-app)`,
      );
    }
    if (!isPackageName(name)) {
      throw usageError(
        `pantheon init: --name "${name}" is not a valid npm package name: use lowercase letters, digits, "-", "." or "_", not starting with "." or "_" (e.g. my-app)`,
        { name },
      );
    }
    const result = scaffoldApp({
      dir,
      name,
      force: args.values.force === true,
      versions: installedVersions(),
    });
    const where = relative(io.cwd, dir);
    io.stdout(`Created ${name} in ${dir}:\n`);
    for (const file of result.files) {
      io.stdout(`  ${file}${result.replaced.includes(file) ? '  (replaced)' : ''}\n`);
    }
    const steps = [
      ...(where === '' ? [] : [`cd ${/\s/.test(where) ? JSON.stringify(where) : where}`]),
      'npm install',
      'npm test',
      'npx pantheon dev     # an offline mock model unless OPENAI_API_KEY is set',
    ];
    io.stdout(`\nNext:\n${steps.map((step) => `  ${step}\n`).join('')}`);
    return 0;
  },
};

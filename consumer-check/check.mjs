#!/usr/bin/env node
// The consumer check: installs the packages the way a user does and uses them.
//
// Packs every published package (`pnpm pack`, so `workspace:` ranges become real ones), creates
// a fresh npm app in a temp dir (no workspace links, no `--legacy-peer-deps`), `npm install`s the
// tarballs next to the current vitest major, TypeScript 5.9 and 7, the optional peers and two
// Node versions, then:
//   - type-checks `app/src` plus a generated file that imports every entry point of every
//     package's `exports` map, with `skipLibCheck: false`, under TypeScript 5.9 and 7;
//   - on Node 22 (our engines floor) and Node 26 (the current LTS), imports every entry point,
//     runs `app/src/main.ts` (a durable actor answering through the model adapters), runs the
//     `pantheon` bin npm installed (`app/src/cli-check.ts`: start, health, ask, actors, drain) and
//     runs `app/src/actor.test.ts` with vitest (pantheon-test mocks and a contract suite);
//   - makes a new app with the installed `pantheon init`, points its Pantheon dependencies at the
//     tarballs, `npm install`s it, type-checks it, runs its `npm test` on both Nodes, and runs
//     `pantheon start` and `pantheon dev` in it (`app/src/scaffold-check.ts`); then writes the
//     files of docs/getting-started.md into it (a second actor, a hand-off and its test, SQLite)
//     and type-checks and tests it again.
// Any failing step stops the check with a non-zero exit and names the step.
//
// Usage: npx -y pnpm@10.34.8 check:consumer [--skip-build] [--keep]
//   --skip-build  reuse the packages' dist/ (e.g. right after check:packages)
//   --keep        keep the temp app after a successful run (it is always kept after a failure)
// Downloads only npm packages (the `node` package fetches Node binaries from npm).

import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./app', import.meta.url));
const args = new Set(process.argv.slice(2));
const pnpm = [
  'npx',
  '-y',
  JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).packageManager,
];

// The toolchains a user installs today. Node 22 is our `engines` floor; Node 26 is the current
// LTS line (Active LTS since 2026-10-28; 24 is in maintenance, 27 is not released). The `node`
// npm package ships the Node binary for the platform, from npm.
const TYPESCRIPTS = [
  { alias: 'typescript-5.9', spec: 'npm:typescript@~5.9', major: '5.9' },
  { alias: 'typescript', spec: '^7', major: '7' },
];
const NODES = [
  { alias: 'node-22', spec: 'npm:node@22', major: 22 },
  { alias: 'node-26', spec: 'npm:node@26', major: 26 },
];
const TOOLCHAIN = {
  vitest: '^5',
  '@types/node': '^22',
  // @elastic/elasticsearch's typings import apache-arrow, its optional peer (at its range), so
  // a user who type-checks libraries (skipLibCheck: false) needs it next to /elasticsearch.
  'apache-arrow': '18.x - 21.x',
  ...Object.fromEntries(TYPESCRIPTS.map((ts) => [ts.alias, ts.spec])),
  ...Object.fromEntries(NODES.map((node) => [node.alias, node.spec])),
};

class StepFailure extends Error {}

let stepNumber = 0;
function step(title, body) {
  stepNumber += 1;
  const started = Date.now();
  console.log(`\n── consumer check ${stepNumber}: ${title}`);
  try {
    const result = body();
    console.log(`   done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } catch (error) {
    const reason = error instanceof StepFailure ? error.message : (error?.stack ?? String(error));
    throw new StepFailure(`step ${stepNumber} "${title}" failed: ${reason}`);
  }
}

/** Runs a command with inherited output; a non-zero exit is a StepFailure naming it. */
function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', ...options });
  const line = [command, ...commandArgs].join(' ');
  if (result.error) throw new StepFailure(`\`${line}\` could not start: ${result.error.message}`);
  if (result.status !== 0) {
    const output = options.stdio === 'pipe' ? `\n${result.stderr || result.stdout}` : '';
    throw new StepFailure(`\`${line}\` exited with ${result.status ?? result.signal}${output}`);
  }
  return result.stdout;
}

/** The environment of a plain terminal: nothing inherited from the pnpm script running us. */
function userEnvironment() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|NODE_PATH$|NODE_OPTIONS$)/i.test(key)) continue;
    env[key] = value;
  }
  // npm's default, pinned so that an npmrc setting cannot hide a peer-dependency conflict.
  env.npm_config_legacy_peer_deps = 'false';
  return env;
}

function publishedPackages() {
  return readdirSync(join(repo, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = join(repo, 'packages', entry.name);
      return { dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
    })
    .filter((pkg) => !pkg.manifest.private);
}

/** Every file an `exports` map (or `main`/`types`) points at, as `dist/...` paths. */
function exportTargets(manifest) {
  const targets = new Set();
  const collect = (value) => {
    if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''));
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(manifest.exports);
  collect(manifest.main);
  collect(manifest.types);
  return [...targets];
}

/** The import specifiers of a package: one per `exports` key, `./package.json` aside. */
function entryPoints(manifest) {
  return Object.keys(manifest.exports ?? { '.': null })
    .filter((key) => key !== './package.json')
    .map((key) => {
      if (key.includes('*')) {
        throw new StepFailure(
          `${manifest.name}: pattern export "${key}" needs a listed entry here`,
        );
      }
      return key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`;
    });
}

function entryPointsProgram(specifiers) {
  const imports = specifiers.map((name, i) => `import * as entry${i} from '${name}';`);
  const list = specifiers.map((name, i) => `  ['${name}', entry${i}],`);
  return `// Generated by consumer-check/check.mjs: every entry point of every published package.
${imports.join('\n')}

const entryPoints: Array<[string, object]> = [
${list.join('\n')}
];
for (const [name, module] of entryPoints) {
  const count = Object.keys(module).length;
  if (count === 0) throw new Error(\`\${name} loaded but exports nothing\`);
  console.log(\`  ok  \${name} (\${count} exports)\`);
}
`;
}

function installedVersion(app, name) {
  return JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')).version;
}

const startedAt = Date.now();
let work;
try {
  if (Number(process.versions.node.split('.')[0]) < 22) {
    throw new StepFailure(
      `needs Node >= 22 (this is ${process.version}); run it with \`${pnpm.join(' ')} check:consumer\``,
    );
  }
  const packages = publishedPackages();
  const env = userEnvironment();
  work = mkdtempSync(join(tmpdir(), 'pantheon-consumer-'));
  const app = join(work, 'app');
  const tarballs = join(work, 'tarballs');

  if (args.has('--skip-build')) console.log('consumer check: reusing the packages’ dist/');
  else
    step('build the packages', () => run(pnpm[0], [...pnpm.slice(1), 'build'], { cwd: repo, env }));

  const packed = step('pack every published package (pnpm pack)', () => {
    const filters = packages.flatMap(({ dir }) => ['--filter', `./${relative(repo, dir)}`]);
    const out = run(
      pnpm[0],
      [...pnpm.slice(1), '-r', ...filters, 'pack', '--pack-destination', tarballs, '--json'],
      { cwd: repo, env, stdio: 'pipe', encoding: 'utf8' },
    );
    // One object for one package, an array for several.
    const results = [].concat(out.trim() === '' ? [] : JSON.parse(out));
    return packages.map(({ manifest }) => {
      const result = results.find((entry) => entry.name === manifest.name);
      if (!result) throw new StepFailure(`pnpm pack made no tarball for ${manifest.name}`);
      const contents = new Set(result.files.map((file) => file.path));
      const missing = exportTargets(manifest).filter((target) => !contents.has(target));
      if (missing.length > 0) {
        throw new StepFailure(
          `${manifest.name}: its package.json points at files the tarball lacks: ${missing.join(', ')}` +
            ' (a wrong `exports` path, or a missing build)',
        );
      }
      console.log(`  ${manifest.name}: ${contents.size} files, every export target present`);
      return { manifest, filename: result.filename };
    });
  });

  const specifiers = step('create a fresh npm app', () => {
    const all = packed.flatMap(({ manifest }) => entryPoints(manifest));
    cpSync(fixture, app, { recursive: true });
    writeFileSync(join(app, 'src', 'entry-points.ts'), entryPointsProgram(all));
    const dependencies = {};
    for (const { manifest, filename } of packed) dependencies[manifest.name] = `file:${filename}`;
    // Optional peers (elasticsearch, winston, prom-client, …) at the ranges we declare.
    for (const { manifest } of packed) {
      for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
        if (!(name in TOOLCHAIN) && !(name in dependencies)) dependencies[name] = range;
      }
    }
    const manifest = {
      name: 'pantheon-consumer',
      private: true,
      type: 'module',
      dependencies,
      devDependencies: TOOLCHAIN,
      // The `node` package's preinstall puts the Node binary in place.
      allowScripts: { node: true },
    };
    writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`  ${app}\n  entry points: ${all.join(', ')}`);
    return all;
  });

  step('npm install (no --legacy-peer-deps)', () =>
    run('npm', ['install', '--no-audit', '--no-fund'], { cwd: app, env }),
  );
  step('npm ls --all (no invalid or missing dependency)', () =>
    run('npm', ['ls', '--all'], { cwd: app, env, stdio: 'pipe', encoding: 'utf8' }),
  );

  for (const ts of TYPESCRIPTS) {
    const version = installedVersion(app, ts.alias);
    step(`type-check with TypeScript ${version} (skipLibCheck: false)`, () => {
      if (version !== ts.major && !version.startsWith(`${ts.major}.`)) {
        throw new StepFailure(`expected TypeScript ${ts.major}, npm installed ${version}`);
      }
      const tsc = join(app, 'node_modules', ts.alias, 'bin', 'tsc');
      run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, env });
    });
  }

  for (const node of NODES) {
    const binary = join(app, 'node_modules', node.alias, 'bin', 'node');
    const version = step(`Node ${node.major}: version`, () => {
      const out = run(binary, ['--version'], { cwd: app, env, stdio: 'pipe', encoding: 'utf8' });
      if (!out.startsWith(`v${node.major}.`)) {
        throw new StepFailure(`expected Node ${node.major}, got ${out.trim()}`);
      }
      console.log(`  ${out.trim()}`);
      return out.trim();
    });
    // node:sqlite (pantheon-persistence) prints an ExperimentalWarning on Node 22.
    const quiet = '--disable-warning=ExperimentalWarning';
    step(`${version}: import every entry point`, () =>
      run(binary, [quiet, 'src/entry-points.ts'], { cwd: app, env }),
    );
    step(`${version}: run the program (src/main.ts)`, () =>
      run(binary, [quiet, 'src/main.ts'], { cwd: app, env }),
    );
    step(`${version}: the pantheon bin (src/cli-check.ts)`, () =>
      run(binary, [quiet, 'src/cli-check.ts'], { cwd: app, env }),
    );
    step(`${version}: vitest run (mocks and a contract suite)`, () =>
      run(binary, ['node_modules/vitest/vitest.mjs', 'run', '--silent=passed-only'], {
        cwd: app,
        env,
      }),
    );
  }

  // The app `pantheon init` makes, installed the way its README says (`npm install && npm
  // test`), but from the tarballs: its Pantheon dependencies point at them (npm would otherwise
  // fetch the registry's), the other packages through `overrides`.
  const scaffold = join(work, 'scaffold');
  const firstNode = join(app, 'node_modules', NODES[0].alias, 'bin', 'node');
  step('pantheon init: a new app, from the installed bin', () =>
    run(firstNode, [join(app, 'node_modules', '.bin', 'pantheon'), 'init', scaffold], {
      cwd: work,
      env,
    }),
  );
  step('point the new app at the tarballs', () => {
    const file = join(scaffold, 'package.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    const tarballs = new Map(packed.map(({ manifest: m, filename }) => [m.name, { m, filename }]));
    const overrides = {};
    for (const [name, { m, filename }] of tarballs) {
      const field = ['dependencies', 'devDependencies'].find((key) => name in manifest[key]);
      if (!field) {
        overrides[name] = `file:${filename}`;
        continue;
      }
      // What it would install from npm: this very version's release line.
      if (manifest[field][name] !== `^${m.version}`) {
        throw new StepFailure(
          `the app depends on ${name}@${manifest[field][name]}, expected ^${m.version}`,
        );
      }
      manifest[field][name] = `file:${filename}`;
      console.log(`  ${name}: ^${m.version} → the tarball`);
    }
    manifest.overrides = overrides;
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  });
  step('new app: npm install (no --legacy-peer-deps)', () =>
    run('npm', ['install', '--no-audit', '--no-fund'], { cwd: scaffold, env }),
  );
  step('new app: npm ls --all, and every Pantheon package from a tarball', () => {
    run('npm', ['ls', '--all'], { cwd: scaffold, env, stdio: 'pipe', encoding: 'utf8' });
    const lock = JSON.parse(readFileSync(join(scaffold, 'package-lock.json'), 'utf8'));
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (!path.includes('node_modules/@promethean-os/')) continue;
      if (!entry.resolved?.startsWith('file:')) {
        throw new StepFailure(`${path} was not installed from a tarball: ${entry.resolved}`);
      }
    }
  });
  step('new app: npm run typecheck', () =>
    run('npm', ['run', 'typecheck'], { cwd: scaffold, env }),
  );
  for (const node of NODES) {
    const binary = join(app, 'node_modules', node.alias, 'bin', 'node');
    // npm runs the scripts with the first `node` on the PATH.
    const nodeEnv = { ...env, PATH: `${dirname(binary)}${delimiter}${env.PATH}` };
    step(`Node ${node.major}: new app: npm test`, () =>
      run('npm', ['test'], { cwd: scaffold, env: nodeEnv }),
    );
    step(
      `Node ${node.major}: new app: pantheon start and pantheon dev (src/scaffold-check.ts)`,
      () =>
        run(
          binary,
          ['--disable-warning=ExperimentalWarning', join(app, 'src', 'scaffold-check.ts')],
          {
            cwd: scaffold,
            env,
          },
        ),
    );
  }

  // docs/getting-started.md walks the reader through that app: its whole-file blocks (a first
  // line `// <path>`) are written into it, and the result must type-check and pass its tests.
  step('new app + the files of docs/getting-started.md: npm run typecheck, npm test', () => {
    const guide = readFileSync(join(repo, 'docs', 'getting-started.md'), 'utf8');
    const files = [...guide.matchAll(/^```ts\n\/\/ ([\w./-]+)\n[\s\S]*?^```$/gm)];
    if (files.length === 0) throw new StepFailure('docs/getting-started.md has no file blocks');
    for (const [block, path] of files) {
      mkdirSync(dirname(join(scaffold, path)), { recursive: true });
      writeFileSync(join(scaffold, path), `${block.slice('```ts\n'.length, -'```'.length)}`);
      console.log(`  ${path}`);
    }
    run('npm', ['run', 'typecheck'], { cwd: scaffold, env });
    run('npm', ['test'], { cwd: scaffold, env });
  });

  const versions = ['vitest', '@types/node', ...TYPESCRIPTS.map((ts) => ts.alias)]
    .concat(NODES.map((node) => node.alias))
    .map((name) => `${name} ${installedVersion(app, name)}`);
  const npmVersion = run('npm', ['--version'], { env, stdio: 'pipe', encoding: 'utf8' }).trim();
  if (args.has('--keep')) console.log(`\nthe app is kept in ${app}`);
  else rmSync(work, { recursive: true, force: true });
  console.log(
    `\nconsumer check passed in ${Math.round((Date.now() - startedAt) / 1000)} s: ` +
      `${packed.length} packages, ${specifiers.length} entry points; npm ${npmVersion}, ${versions.join(', ')}`,
  );
} catch (error) {
  console.error(
    `\nCONSUMER CHECK FAILED — ${error instanceof StepFailure ? error.message : error?.stack}`,
  );
  if (work) console.error(`its files are kept for inspection in ${work}`);
  process.exitCode = 1;
}

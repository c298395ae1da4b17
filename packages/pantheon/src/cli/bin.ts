#!/usr/bin/env node
// The `pantheon` command. Everything is in `runCli`; this file only binds it to the process.
import { createRequire } from 'node:module';
import { runCli } from './run-cli';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

process.exitCode = await runCli(
  process.argv.slice(2),
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  },
  version,
);

import { cpus } from 'node:os';
import { benchAdapters } from './adapters.bench';
import { benchRuntime } from './runtime.bench';
import { benchTick } from './tick.bench';

const tick = await benchTick();
const runtime = await benchRuntime();
const adapters = await benchAdapters();
const report = {
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  date: new Date().toISOString(),
  tick,
  runtime,
  adapters,
};
console.log(JSON.stringify(report, null, 2));

import { cpus } from 'node:os';
import { benchAdapters } from './adapters.bench';
import { benchObservability } from './observability.bench';
import { benchPersistence } from './persistence.bench';
import { benchRuntime } from './runtime.bench';
import { benchTick } from './tick.bench';

const tick = await benchTick();
const runtime = await benchRuntime();
const persistence = await benchPersistence();
const adapters = await benchAdapters();
const observability = await benchObservability();
const report = {
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  date: new Date().toISOString(),
  tick,
  runtime,
  persistence,
  adapters,
  observability,
};
console.log(JSON.stringify(report, null, 2));

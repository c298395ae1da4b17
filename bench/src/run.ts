import { cpus } from 'node:os';
import { benchAdapters } from './adapters.bench';
import { benchCluster } from './cluster.bench';
import { benchObservability } from './observability.bench';
import { benchPersistence } from './persistence.bench';
import { benchRuntime } from './runtime.bench';
import { benchStreaming } from './streaming.bench';
import { benchTick } from './tick.bench';

const tick = await benchTick();
const runtime = await benchRuntime();
const persistence = await benchPersistence();
const adapters = await benchAdapters();
const cluster = await benchCluster();
const streaming = await benchStreaming();
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
  cluster,
  streaming,
  observability,
};
console.log(JSON.stringify(report, null, 2));

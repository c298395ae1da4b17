import { cpus } from 'node:os';
import { benchTick } from './tick.bench';

const tick = await benchTick();
const report = {
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  date: new Date().toISOString(),
  tick,
};
console.log(JSON.stringify(report, null, 2));

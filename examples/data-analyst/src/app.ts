/**
 * The module `pantheon start` runs (`entry` in ../pantheon.config.ts): the data analyst over the
 * CSV that DATA_ANALYST_CSV names, or the bundled sample. A CSV that cannot be read stops the
 * start with `CSV_INVALID`, naming the file and line.
 */
import { loadDataAnalyst } from './data-analyst';

const { app } = await loadDataAnalyst();

export default app;

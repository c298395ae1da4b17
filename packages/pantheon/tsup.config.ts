import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

// `dist/cli.js` is the `pantheon` bin (its shebang makes tsup mark it executable); its commands
// are split into chunks that load only when the command runs.
export default defineConfig(
  packageBuild(
    { index: 'src/index.ts', cli: 'src/cli/bin.ts' },
    { dts: { entry: 'src/index.ts' } },
  ),
);

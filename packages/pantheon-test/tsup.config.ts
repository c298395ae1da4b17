import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

export default defineConfig(
  // `contracts` is its own entry so that importing the mocks never loads vitest.
  packageBuild(
    { index: 'src/index.ts', 'contracts/index': 'src/contracts/index.ts' },
    { external: ['vitest'] },
  ),
);

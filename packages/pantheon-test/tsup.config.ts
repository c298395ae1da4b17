import { defineConfig } from 'tsup';

export default defineConfig({
  // `contracts` is its own entry so that importing the mocks never loads vitest.
  entry: { index: 'src/index.ts', 'contracts/index': 'src/contracts/index.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
  external: ['vitest'],
  removeNodeProtocol: false,
});

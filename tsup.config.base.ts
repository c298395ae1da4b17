import type { Options } from 'tsup';

/** The build every published package shares: ESM, declarations, source maps, `node:` kept. */
export function packageBuild(
  entry: Options['entry'] = ['src/index.ts'],
  overrides: Options = {},
): Options {
  return {
    entry,
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
    removeNodeProtocol: false,
    ...overrides,
  };
}

import type { Options } from 'tsup';

/** The build every published package shares: ESM, declarations, source maps. */
export function packageBuild(entry: string[] = ['src/index.ts'], target = 'node22'): Options {
  return { entry, format: ['esm'], dts: true, clean: true, sourcemap: true, target };
}

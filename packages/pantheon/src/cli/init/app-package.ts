import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot, pantheonManifest } from './package-root';

/**
 * The scaffold's development tools, at the ranges this repository tests with (a test keeps them
 * equal to the root package.json's).
 */
export const APP_TOOLCHAIN = {
  '@types/node': '^22.20.5',
  typescript: '~5.9.3',
  vitest: '^5.1.2',
} as const;

/** The versions a scaffold depends on: those of the installed packages that made it. */
export interface ScaffoldVersions {
  /** `@promethean-os/pantheon`: the running one. */
  pantheon: string;
  /**
   * `@promethean-os/pantheon-core` as installed next to it; `pantheon-test` has the same version
   * (the `pantheon-*` packages are released together).
   */
  core: string;
  /** The range `@promethean-os/pantheon` itself depends on. */
  zod: string;
}

/** The versions of the installed `@promethean-os/pantheon` and the core it runs with. */
export function installedVersions(root: string = packageRoot()): ScaffoldVersions {
  const manifest = pantheonManifest(root);
  const coreManifest = createRequire(join(root, 'package.json')).resolve(
    '@promethean-os/pantheon-core/package.json',
  );
  const core = (JSON.parse(readFileSync(coreManifest, 'utf8')) as { version: string }).version;
  return { pantheon: manifest.version, core, zod: manifest.dependencies.zod ?? '^4.0.0' };
}

/**
 * The scaffold's package.json. Pantheon's packages at `^` of the versions that made it: a
 * scaffold made by a published `pantheon` installs the same release line from npm.
 */
export function appPackageJson(name: string, versions: ScaffoldVersions): string {
  const manifest = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=22' },
    scripts: {
      dev: 'pantheon dev',
      start: 'pantheon start',
      test: 'vitest run',
      typecheck: 'tsc',
    },
    dependencies: {
      '@promethean-os/pantheon': `^${versions.pantheon}`,
      '@promethean-os/pantheon-core': `^${versions.core}`,
      zod: versions.zod,
    },
    devDependencies: {
      '@promethean-os/pantheon-test': `^${versions.core}`,
      ...APP_TOOLCHAIN,
    },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

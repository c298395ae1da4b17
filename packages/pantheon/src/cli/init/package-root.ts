import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = '@promethean-os/pantheon';

/** The manifest fields `pantheon init` reads. */
export interface PantheonManifest {
  version: string;
  dependencies: Record<string, string>;
}

/**
 * The folder of the installed `@promethean-os/pantheon` package (its `package.json`, `template/`):
 * the first folder above this module holding that package's manifest. The same from `src/`,
 * from `dist/` and from a test build.
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readManifest(dir).name === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`${PACKAGE_NAME}: no package.json of its own above ${from}`);
    dir = parent;
  }
}

function readManifest(dir: string): { name?: string } & Partial<PantheonManifest> {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
}

/** The installed package's version and dependencies. */
export function pantheonManifest(root: string = packageRoot()): PantheonManifest {
  const manifest = readManifest(root);
  return { version: manifest.version ?? '0.0.0', dependencies: manifest.dependencies ?? {} };
}

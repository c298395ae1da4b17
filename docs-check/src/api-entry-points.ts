import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One entry point of a published package: what users import, and the source it is built from. */
export interface ApiEntryPoint {
  /** The import specifier: `@promethean-os/pantheon-adapters/nats`. */
  specifier: string;
  /** Absolute path of the TypeScript source: `…/packages/pantheon-adapters/src/integrations/nats/index.ts`. */
  source: string;
}

/** A package's `exports` that cannot be mapped to a source file. */
export class ApiEntryPointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiEntryPointError';
  }
}

interface PackageJson {
  name?: string;
  private?: boolean;
  exports?: Record<string, unknown>;
}

/**
 * Every entry point of every published package under `packagesDir`: each subpath of the
 * `exports` of each `<packagesDir>/<name>/package.json` that is not `private`. A subpath's
 * `types` (`./dist/x/index.d.ts`) maps to its source (`./src/x/index.ts`), the layout the tsup
 * builds of this repository produce; a subpath that does not map to an existing source is an
 * `ApiEntryPointError`, so a new package or subpath is never left out silently.
 */
export function apiEntryPoints(packagesDir: string): ApiEntryPoint[] {
  const entryPoints: ApiEntryPoint[] = [];
  const packageDirs = readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(packagesDir, entry.name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .sort();
  for (const dir of packageDirs) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
    if (manifest.private === true) continue;
    const where = relative(packagesDir, join(dir, 'package.json'));
    if (!manifest.name || !manifest.exports || typeof manifest.exports !== 'object') {
      throw new ApiEntryPointError(`${where}: a published package needs a name and an exports map`);
    }
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (subpath === './package.json') continue;
      const types = typesOf(target);
      if (!types?.startsWith('./dist/') || !types.endsWith('.d.ts')) {
        throw new ApiEntryPointError(
          `${where}: exports[${JSON.stringify(subpath)}] has no "types" under ./dist/ (found ${JSON.stringify(types)})`,
        );
      }
      const source = join(dir, `src/${types.slice('./dist/'.length, -'.d.ts'.length)}.ts`);
      if (!existsSync(source)) {
        throw new ApiEntryPointError(
          `${where}: exports[${JSON.stringify(subpath)}] types ${types} has no source at ${relative(dir, source)}`,
        );
      }
      const specifier = subpath === '.' ? manifest.name : `${manifest.name}${subpath.slice(1)}`;
      entryPoints.push({ specifier, source });
    }
  }
  return entryPoints;
}

function typesOf(target: unknown): string | undefined {
  if (typeof target !== 'object' || target === null) return undefined;
  const types = (target as Record<string, unknown>).types;
  return typeof types === 'string' ? types : undefined;
}

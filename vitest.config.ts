import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import projects from './vitest.workspace.ts';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import workspace packages from their TypeScript sources, so `pnpm test` needs no
    // build step. The same mapping is in tsconfig.json `paths` for the type checker.
    alias: [
      {
        find: /^@promethean-os\/pantheon-core\/adapter-kit$/,
        replacement: `${packagesDir}pantheon-core/src/adapter-kit/index.ts`,
      },
      {
        find: /^@promethean-os\/pantheon-test\/contracts$/,
        replacement: `${packagesDir}pantheon-test/src/contracts/index.ts`,
      },
      {
        find: /^@promethean-os\/pantheon-adapters\/([a-z-]+)$/,
        replacement: `${packagesDir}pantheon-adapters/src/integrations/$1/index.ts`,
      },
      {
        find: /^@promethean-os\/pantheon$/,
        replacement: `${packagesDir}pantheon/src/index.ts`,
      },
      {
        find: /^@promethean-os\/(pantheon-[a-z-]+)$/,
        replacement: `${packagesDir}$1/src/index.ts`,
      },
    ],
  },
  test: {
    // Console output (Pantheon's own warnings included) only for failing tests.
    silent: 'passed-only',
    projects,
    include: ['src/**/*.test.ts'],
  },
});

import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

// The core also runs in browsers and edge runtimes. `adapter-kit` is the subpath export of the
// helpers for adapter authors.
export default defineConfig(
  packageBuild(
    { index: 'src/index.ts', 'adapter-kit/index': 'src/adapter-kit/index.ts' },
    { target: 'es2022' },
  ),
);

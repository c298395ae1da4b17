import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

// The core also runs in browsers and edge runtimes.
export default defineConfig(packageBuild(['src/index.ts'], { target: 'es2022' }));

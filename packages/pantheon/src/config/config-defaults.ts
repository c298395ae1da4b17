import { deepFreeze } from '@promethean-os/pantheon-core/adapter-kit';
import type { PantheonConfig } from './config-schema';

/**
 * The configuration without a file or variables: everything in memory, the offline mock model,
 * JSON logs at `info`, the HTTP endpoint of `pantheon start` on `127.0.0.1:3000`, ten seconds to
 * drain on shutdown. `limits` and `supervision` are empty: the core's defaults apply.
 */
export const DEFAULT_CONFIG: Readonly<PantheonConfig> = deepFreeze<PantheonConfig>({
  environment: 'development',
  logging: { level: 'info', format: 'json' },
  adapters: {
    context: { type: 'memory' },
    llm: { type: 'mock' },
    persistence: { type: 'memory' },
    bus: { type: 'memory' },
  },
  limits: {},
  supervision: {},
  http: { host: '127.0.0.1', port: 3000 },
  shutdown: { timeoutMs: 10_000 },
});

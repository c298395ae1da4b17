import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

export default defineConfig(
  packageBuild([
    'src/index.ts',
    'src/integrations/elasticsearch/index.ts',
    'src/integrations/nats/index.ts',
    'src/integrations/otel/index.ts',
    'src/integrations/prometheus/index.ts',
    'src/integrations/winston/index.ts',
  ]),
);

// The public surface of the package: the runtime names of its entry point, sorted, so that a
// change to what users can import shows as a diff in review.
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };

describe('public API of @promethean-os/pantheon', () => {
  it('has one entry point and the pantheon bin', () => {
    expect(Object.keys(packageJson.exports)).toMatchInlineSnapshot(`
      [
        ".",
        "./package.json",
      ]
    `);
    expect(packageJson.bin).toMatchInlineSnapshot(`
      {
        "pantheon": "./dist/cli.js",
      }
    `);
  });

  it('exports what users write against', async () => {
    expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_CONFIG",
        "Pantheon",
        "PantheonClusterNode",
        "PantheonConfigSchema",
        "createPantheon",
        "createPantheonCluster",
        "defineApp",
        "defineConfig",
        "loadConfig",
        "openModel",
        "startApp",
      ]
    `);
  });
});

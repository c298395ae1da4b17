/**
 * The test projects of this repository: one per published package and one per example.
 * The root `vitest.config.ts` reads this list into `test.projects`.
 */
const packages = [
  'pantheon-core',
  'pantheon-adapters',
  'pantheon-llm-openai',
  'pantheon-llm-claude',
  'pantheon-persistence',
  'pantheon-test',
  'pantheon-mcp',
];
const examples = ['quickstart', 'developer-guide', 'support-desk', 'triage-desk', 'mcp-filesystem'];

export default [
  ...packages.map((name) => ({
    extends: true as const,
    root: `packages/${name}`,
    test: { name },
  })),
  ...examples.map((name) => ({
    extends: true as const,
    root: `examples/${name}`,
    test: { name: `example-${name}` },
  })),
];

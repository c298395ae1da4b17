/**
 * The test projects of this repository: one per published package, one per example, and the
 * docs checks' own tests.
 * The root `vitest.config.ts` reads this list into `test.projects`; inline projects inherit the
 * root config (the source aliases, `include`), which vitest 5 does by default.
 */
const packages = [
  'pantheon-core',
  'pantheon-adapters',
  'pantheon-llm-openai',
  'pantheon-llm-claude',
  'pantheon-llm-ai-sdk',
  'pantheon-persistence',
  'pantheon-test',
  'pantheon-mcp',
  'pantheon-cluster',
  'pantheon-inspector',
  'pantheon',
];
const examples = [
  'quickstart',
  'developer-guide',
  'support-desk',
  'triage-desk',
  'mcp-filesystem',
  'data-analyst',
];

// Tests besides src/**/*.test.ts: the app `pantheon init` scaffolds runs its own test here.
const moreTests: Record<string, string[]> = { pantheon: ['template/src/**/*.test.ts'] };

export default [
  ...packages.map((name) => ({
    root: `packages/${name}`,
    test: { name, include: ['src/**/*.test.ts', ...(moreTests[name] ?? [])] },
  })),
  ...examples.map((name) => ({ root: `examples/${name}`, test: { name: `example-${name}` } })),
  { root: 'docs-check', test: { name: 'docs-check' } },
];

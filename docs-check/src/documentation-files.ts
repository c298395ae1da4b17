import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The markdown files whose TypeScript blocks are checked, relative to `root`: the root's
 * `*.md`, `docs/*.md`, and the README of every package and example. Changelogs are left out:
 * they record the API as it was.
 */
export function documentationFiles(root: string): string[] {
  const markdownIn = (dir: string) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((name) => name.endsWith('.md') && name !== 'CHANGELOG.md')
          .sort()
          .map((name) => (dir === '.' ? name : `${dir}/${name}`))
      : [];
  const readmesIn = (dir: string) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => `${dir}/${entry.name}/README.md`)
          .filter((file) => existsSync(join(root, file)))
          .sort()
      : [];
  return [
    ...markdownIn('.'),
    ...markdownIn('docs'),
    ...readmesIn('packages'),
    ...readmesIn('examples'),
  ];
}

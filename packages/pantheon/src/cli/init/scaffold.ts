import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { ConfigError } from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';
import { appPackageJson, type ScaffoldVersions } from './app-package';
import { packageRoot } from './package-root';

/** Template files stored under another name: npm would drop or rename the real ones. */
const RENAMED: Readonly<Record<string, string>> = {
  gitignore: '.gitignore',
  dockerignore: '.dockerignore',
};
/** Files in which `{{name}}` is the app's name. */
const WITH_NAME = new Set(['README.md', 'Dockerfile']);
/** What a folder may hold and still count as empty. */
const HARMLESS = new Set(['.git', '.DS_Store']);
/** npm's rule for a package name without a scope. */
const PACKAGE_NAME = /^[a-z0-9~-][a-z0-9._~-]*$/;

/** What `scaffoldApp` writes. */
export interface ScaffoldOptions {
  /** The app's folder (absolute); created when missing. */
  dir: string;
  /** The package name. */
  name: string;
  /** Write into a non-empty folder, replacing the scaffold's files that exist there. */
  force: boolean;
  versions: ScaffoldVersions;
  /** Default: `template/` of the installed package. */
  templateDir?: string;
}

/** What `scaffoldApp` wrote, as paths relative to the app's folder. */
export interface ScaffoldResult {
  files: string[];
  /** Files that existed and were replaced (`force`). */
  replaced: string[];
}

function targetError(dir: string, message: string, reason: string, cause?: unknown) {
  return new ConfigError(message, { dir, reason }, { code: 'INIT_TARGET_INVALID', cause });
}

/** `true` when `name` is a valid npm package name (no scope). */
export function isPackageName(name: string): boolean {
  return name.length <= 214 && PACKAGE_NAME.test(name);
}

/** A package name from a folder's name: `My App` → `my-app`; `undefined` if nothing is left. */
export function nameFromFolder(dir: string): string | undefined {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/-+$/, '')
    .slice(0, 214);
  return isPackageName(name) ? name : undefined;
}

function templateFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? templateFiles(root, path) : [relative(root, path)];
  });
}

function checkTarget(dir: string, force: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) {
    throw targetError(
      dir,
      `${dir} is a file, not a folder: give pantheon init a folder to create (or an empty one)`,
      'file',
    );
  }
  const entries = readdirSync(dir).filter((entry) => !HARMLESS.has(entry));
  if (entries.length > 0 && !force) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', …' : '');
    throw targetError(
      dir,
      `${dir} is not empty (${shown}): give pantheon init a new or empty folder, or pass --force to write the app's files into it (files of the same name are replaced, others kept)`,
      'not empty',
    );
  }
}

/**
 * Writes a new app into `options.dir`: the template (configuration, an actor with a tool and its
 * test, README, Dockerfile, tsconfig) and a package.json depending on Pantheon at `versions`.
 *
 * @throws ConfigError `INIT_TARGET_INVALID` when the folder is not empty (without `force`), is a
 * file, or cannot be written; nothing is written in the first two cases.
 */
export function scaffoldApp(options: ScaffoldOptions): ScaffoldResult {
  const { dir, force } = options;
  checkTarget(dir, force);
  const template = options.templateDir ?? join(packageRoot(), 'template');
  const files = templateFiles(template).map((source) => {
    const name = basename(source);
    const target = join(dirname(source), RENAMED[name] ?? name);
    let content = readFileSync(join(template, source), 'utf8');
    if (WITH_NAME.has(name)) content = content.replaceAll('{{name}}', options.name);
    return { target, content };
  });
  files.push({ target: 'package.json', content: appPackageJson(options.name, options.versions) });
  files.sort((a, b) => (a.target < b.target ? -1 : 1));

  const replaced = files.filter((file) => existsSync(join(dir, file.target)));
  try {
    for (const file of files) {
      const path = join(dir, file.target);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
    }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'write failed';
    throw targetError(
      dir,
      `Cannot write the app into ${dir}: ${errorMessage(error)}. Choose a folder you can write to`,
      reason,
      error,
    );
  }
  return { files: files.map((file) => file.target), replaced: replaced.map((file) => file.target) };
}

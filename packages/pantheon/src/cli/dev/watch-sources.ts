import { type Dirent, type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** The files whose change restarts the app: code and JSON, tests aside. */
const SOURCE = /\.(?:[cm]?[jt]sx?|json)$/;
const TEST = /\.(?:test|spec|test-support)\.[cm]?[jt]sx?$/;
/** Folders never watched: dependencies, hidden folders (.git, caches), coverage reports. */
const SKIPPED = (name: string) =>
  name === 'node_modules' || name === 'coverage' || name.startsWith('.');
const isSource = (name: string) => SOURCE.test(name) && !TEST.test(name);

/** Options of `watchSources`. */
export interface WatchSourcesOptions {
  /** How long the files must stay still before `onChange`. Default 200 ms. */
  debounceMs?: number;
  /** Called once per burst of changes, with the changed files relative to the root, sorted. */
  onChange(files: string[]): void;
}

/** A running watch. */
export interface SourceWatch {
  close(): void;
}

/**
 * Watches the app's sources under `root`: one `fs.watch` per folder (node_modules, hidden
 * folders and coverage left out, new folders picked up), reporting changed code and JSON files
 * — not tests, not data files such as a SQLite database — once they stop changing.
 */
export function watchSources(root: string, options: WatchSourcesOptions): SourceWatch {
  const debounceMs = options.debounceMs ?? 200;
  const watchers = new Map<string, FSWatcher>();
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const flush = () => {
    timer = undefined;
    if (closed || changed.size === 0) return;
    const files = [...changed].sort();
    changed.clear();
    options.onChange(files);
  };

  const isDirectory = (path: string) => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false; // removed in the meantime
    }
  };

  const record = (path: string) => {
    changed.add(relative(root, path));
    clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };

  /** Watches `dir` and its folders; `created`: a new folder, whose files are changes too. */
  const add = (dir: string, created: boolean) => {
    if (closed || watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        if (name) onEvent(dir, name.toString());
      });
    } catch {
      return; // removed before it could be watched
    }
    watcher.on('error', () => {
      watcher.close();
      watchers.delete(dir);
    });
    watchers.set(dir, watcher);
    let entries: Dirent[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      // removed in the meantime: its watcher reports it
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIPPED(entry.name)) add(join(dir, entry.name), created);
      else if (created && isSource(entry.name)) record(join(dir, entry.name));
    }
  };

  /** Stops watching a removed folder and those under it (it may be created again). */
  const forget = (dir: string) => {
    for (const [path, watcher] of watchers) {
      if (path === dir || path.startsWith(`${dir}${sep}`)) {
        watcher.close();
        watchers.delete(path);
      }
    }
  };

  const onEvent = (dir: string, name: string) => {
    const path = join(dir, name);
    if (watchers.has(path)) {
      if (isDirectory(path)) return;
      forget(path); // a removed folder of sources is a change
      record(path);
      return;
    }
    if (!SKIPPED(name) && isDirectory(path)) add(path, true);
    else if (isSource(name)) record(path);
  };

  add(root, false);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { basename, join } from 'node:path';

/** Internal: a running watcher; `close()` stops every directory watch. */
export interface TreeWatcher {
  close(): void;
}

/** Directory names never watched: dependencies, build output, version control. */
const SKIPPED = new Set(['node_modules', 'dist', 'coverage']);

/**
 * Internal: whether a file or directory name is left unwatched: dotfiles (but `.env` files, which
 * the app reads at start), editor swap and backup files, `node_modules`, build output.
 */
export function isIgnoredName(name: string): boolean {
  if (/^\.env(\..+)?$/.test(name)) return false;
  return name.startsWith('.') || SKIPPED.has(name) || name.endsWith('~') || /\.sw[a-p]$/.test(name) || name === '4913';
}

/**
 * Internal: watches `root` and every directory below it, one `fs.watch` per directory, skipping
 * `node_modules`, build output, `.git` and dotfiles (a recursive `fs.watch` would also walk
 * `node_modules`, thousands of watches on Linux). New directories are picked up as they appear.
 * `onChange` gets the path of each changed file.
 */
export function watchTree(root: string, onChange: (path: string) => void, skip: readonly string[] = []): TreeWatcher {
  const watchers = new Map<string, FSWatcher>();
  const skipped = new Set(skip);
  let closed = false;

  const add = (directory: string) => {
    if (closed || watchers.has(directory) || skipped.has(directory)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, (_event, name) => {
        if (name === null) return;
        const entry = name.toString();
        if (entry.split('/').some(isIgnoredName)) return;
        const path = join(directory, entry);
        if (isDirectory(path)) add(path);
        onChange(path);
      });
    } catch {
      return; // removed between listing and watching
    }
    watcher.on('error', () => {
      watcher.close();
      watchers.delete(directory);
    });
    watchers.set(directory, watcher);
    let entries: string[];
    try {
      entries = readdirSync(directory);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (isIgnoredName(entry)) continue;
      const path = join(directory, entry);
      if (isDirectory(path)) add(path);
    }
  };

  add(root);
  return {
    close() {
      closed = true;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory() && !isIgnoredName(basename(path));
  } catch {
    return false;
  }
}

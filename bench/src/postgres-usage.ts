import { readFileSync } from 'node:fs';
import pg from 'pg';

/** PostgreSQL round trips by statement (its first words), since `watchPostgres`. */
export interface QueryCounts {
  /** Round trips: one per query the driver sent. */
  total: number;
  /** Statements sent inside group-commit texts (`BEGIN; …; COMMIT` in one round trip). */
  groupedStatements: number;
  /** By statement; those inside group-commit texts are listed as `in a group: …`. */
  byStatement: Record<string, number>;
}

const GROUP = 'BEGIN; …; COMMIT (a group commit in one text)';

/** A statement by its first words, literals as `?` (group texts spell their values). */
function statementKey(text: string): string {
  return text
    .slice(0, 120)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/'(?:[^']|'')*'?/g, '?')
    .replace(/\b\d+\b/g, '?')
    .slice(0, 72);
}

/** utime + stime of a process in ms, from `/proc` (Linux); `undefined` when it cannot be read. */
function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * Counts every query the `pg` driver of this process sends — one round trip each, as `pg` does
 * not pipeline — by wrapping `pg.Client.prototype.query` (the pool's queries go through it), and
 * notes the server process of each connection, whose CPU time `backendCpuMs` reads.
 * Bench only; `uninstall` puts the driver back as it was.
 */
export function watchPostgres(): {
  read(): QueryCounts;
  /** CPU ms so far of the server processes of the connections that sent queries. */
  backendCpuMs(): number | undefined;
  uninstall(): void;
} {
  const backends = new Set<number>();
  /** The last CPU time read of each server process (kept once it exits). */
  const backendCpu = new Map<number, number>();
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  const counts: QueryCounts = { total: 0, groupedStatements: 0, byStatement: {} };
  const add = (key: string) => {
    counts.byStatement[key] = (counts.byStatement[key] ?? 0) + 1;
  };
  prototype.query = function (this: { processID?: number | null }, ...args: unknown[]) {
    if (typeof this.processID === 'number') backends.add(this.processID);
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : (first?.text ?? '');
    counts.total++;
    if (text.startsWith('BEGIN;')) {
      add(GROUP);
      for (const statement of text.split(';\n').slice(1, -1)) {
        counts.groupedStatements++;
        add(`  in a group: ${statementKey(statement)}`);
      }
    } else {
      add(statementKey(text));
    }
    return original.apply(this, args);
  };
  return {
    read: () => structuredClone(counts),
    backendCpuMs: () => {
      if (cpuMsOf(process.pid) === undefined) return undefined;
      for (const pid of backends) {
        const ms = cpuMsOf(pid);
        if (ms !== undefined) backendCpu.set(pid, ms);
      }
      return [...backendCpu.values()].reduce((sum, ms) => sum + ms, 0);
    },
    uninstall: () => {
      prototype.query = original;
    },
  };
}

import pg from 'pg';
import type { BulkKind, BulkRow } from './bulk-writes';
import type { CommitUnit } from './group-commit';
import type { SqlStatement, SqlValue } from './sql-driver';

/** Lets a transaction's commit return before the server flushed its log. */
export const LAZY_COMMIT = 'SET LOCAL synchronous_commit TO OFF';

/** Marks the error a failed check raises inside a group's text. */
const EXPECT_TAG = 'pantheon-expect-failed';

/**
 * A string as an SQL literal. `pg.escapeLiteral` builds its result one character at a time,
 * which for the long JSON texts of a group's messages costs more than the database's work.
 */
function quoted(value: string): string {
  const text = value.includes("'") ? value.replaceAll("'", "''") : value;
  // Backslashes are literal in standard strings, unless a server turned
  // `standard_conforming_strings` off: an escape string means the same either way.
  if (!text.includes('\\')) return `'${text}'`;
  return ` E'${text.replaceAll('\\', '\\\\')}'`;
}

/** A parameter as an SQL literal; `undefined` for a number SQL cannot spell. */
function literal(value: SqlValue): string | undefined {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    return value < 0 ? `(${value})` : String(value);
  }
  return quoted(value);
}

/** A statement with its parameters spelled as literals; `undefined` when one cannot be. */
function spelledText(statement: SqlStatement): string | undefined {
  let index = 0;
  let spellable = true;
  const text = statement.sql.replace(/\?/g, () => {
    const value = literal(statement.params[index++] ?? null);
    if (value === undefined) spellable = false;
    return value ?? 'NULL';
  });
  return spellable ? text : undefined;
}

/**
 * The parts that wrap a statement so that the server fails the whole text when its count of
 * changed rows is not `changes`: casting a string that names the tag and the check's number to
 * an integer, an error no data can cause. `returning` is what the error carries besides: the keys
 * a bulk statement changed. The count is not a constant, so the cast is evaluated only when it
 * differs.
 */
const CHECK_BEFORE = 'WITH changed AS (';
function checkAfter(check: number, changes: number, returning: string): string {
  return `), counted AS (SELECT count(*) AS n FROM changed)
    SELECT CASE WHEN n = ${changes} THEN 0
      ELSE CAST('${EXPECT_TAG}:${check}:' || ${returning} AS integer) END FROM counted`;
}

/**
 * Appends the rows to `parts` as the items of a `VALUES` list, the first row's values cast to the
 * kind's types; false when a value cannot be spelled.
 */
function pushValues(parts: string[], kind: BulkKind, rows: readonly BulkRow[]): boolean {
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    parts.push(index === 0 ? '(' : ',\n(');
    for (let column = 0; column < row.length; column++) {
      const value = literal(row[column]!);
      if (value === undefined) return false;
      if (column > 0) parts.push(', ');
      parts.push(value);
      if (index === 0) parts.push('::', kind.types[column]!);
    }
    parts.push(')');
  }
  return true;
}

/** What a failed check of the text means for the units. */
type Check =
  /** A guard or a plain statement with `expect`: every unit listed fails with its mismatch. */
  | { type: 'units'; failures: { unit: number; mismatch: () => Error }[] }
  /** A checked bulk statement: the rows whose key it did not change fail their units. */
  | { type: 'bulk'; rows: { key: SqlValue; unit: number; mismatch: () => Error }[] };

/** The units' writes as one text: begin, every statement (checks done by the server), commit. */
export interface GroupText {
  text: string;
  checks: Check[];
}

interface Slot {
  kind: BulkKind;
  rows: BulkRow[];
  /** Of a checked kind: the units its rows check, by the row's key, with their mismatches. */
  owners: { key: SqlValue; unit: number; mismatch: () => Error }[];
}

/** True when a statement's rows can be merged with others of its kind. */
function mergeable(statement: SqlStatement): boolean {
  const bulk = statement.bulk;
  if (!bulk || bulk.rows.length === 0) return false;
  // A checked kind without its `expect` (or with another count) is written as it is.
  if (bulk.kind.checked) return statement.expect?.changes === bulk.rows.length;
  return statement.expect === undefined;
}

function guardKey(guard: SqlStatement): string {
  return `${guard.expect?.changes}\u0000${guard.sql}\u0000${JSON.stringify(guard.params)}`;
}

/**
 * The keys a unit writes in each key space (see `BulkKind.keySpace`). A group merges no two
 * units that write the same key: the later one is deferred to the next transaction.
 */
export function unitKeys(unit: CommitUnit): string[] {
  const keys: string[] = [];
  for (const statement of unit.statements) {
    const space = statement.bulk?.kind.keySpace;
    if (space === undefined) continue;
    for (const row of statement.bulk!.rows) keys.push(`${space}\u0000${String(row[0])}`);
  }
  return keys;
}

/**
 * The group's text: its distinct guards first, then its statements with those of one bulk kind
 * merged into one (placed where the kind first appears), each unit's other statements in its
 * order. `undefined` when a value cannot be spelled, or a statement with `expect` cannot be
 * checked in the text (not a SELECT, INSERT, UPDATE or DELETE, or with its own RETURNING): the
 * group is then written statement by statement. Built as one list of parts joined once: the texts
 * of a group's messages are long, and every intermediate string would copy them again.
 */
export function groupText(units: readonly CommitUnit[], durable: boolean): GroupText | undefined {
  const checks: Check[] = [];
  const guards = new Map<string, { statement: SqlStatement; check: Check & { type: 'units' } }>();
  const items: (Slot | { statement: SqlStatement; unit: number })[] = [];
  const slots = new Map<string, Slot>();
  units.forEach((unit, index) => {
    if (unit.guard) {
      const key = guardKey(unit.guard);
      let guard = guards.get(key);
      if (!guard) {
        guard = { statement: unit.guard, check: { type: 'units', failures: [] } };
        guards.set(key, guard);
      }
      guard.check.failures.push({ unit: index, mismatch: unit.guard.expect!.mismatch });
    }
    for (const statement of unit.statements) {
      if (!mergeable(statement)) {
        items.push({ statement, unit: index });
        continue;
      }
      const { kind, rows } = statement.bulk!;
      let slot = slots.get(kind.name);
      if (!slot) {
        slot = { kind, rows: [], owners: [] };
        slots.set(kind.name, slot);
        items.push(slot);
      }
      for (const row of rows) {
        slot.rows.push(row);
        if (kind.checked) {
          slot.owners.push({ key: row[0]!, unit: index, mismatch: statement.expect!.mismatch });
        }
      }
    }
  });
  const parts: string[] = [durable ? 'BEGIN' : `BEGIN;\n${LAZY_COMMIT}`];
  // Distinct guards of one bulk kind (e.g. the lease fences of several partitions) check their
  // rows in one statement; each row fails the units it guards.
  const guardSlots = new Map<string, Slot>();
  for (const { statement, check } of guards.values()) {
    if (mergeable(statement) && statement.bulk!.kind.checked) {
      const { kind, rows } = statement.bulk!;
      let slot = guardSlots.get(kind.name);
      if (!slot) {
        slot = { kind, rows: [], owners: [] };
        guardSlots.set(kind.name, slot);
      }
      for (const row of rows) {
        slot.rows.push(row);
        for (const failure of check.failures) slot.owners.push({ key: row[0]!, ...failure });
      }
      continue;
    }
    const text = plainText(statement, checks.length);
    if (text === undefined) return undefined;
    checks.push(check);
    parts.push(';\n', text);
  }
  for (const item of [...guardSlots.values(), ...items]) {
    parts.push(';\n');
    if ('statement' in item) {
      const { statement, unit } = item;
      const text = plainText(statement, checks.length);
      if (text === undefined) return undefined;
      if (statement.expect) {
        checks.push({ type: 'units', failures: [{ unit, mismatch: statement.expect.mismatch }] });
      }
      parts.push(text);
      continue;
    }
    const { kind, rows, owners } = item;
    const [before, after] = kind.merged;
    if (kind.checked) parts.push(CHECK_BEFORE);
    parts.push(before);
    if (!pushValues(parts, kind, rows)) return undefined;
    parts.push(after);
    if (kind.checked) {
      parts.push(
        checkAfter(
          checks.length,
          rows.length,
          `(SELECT coalesce(json_agg(key), '[]')::text FROM changed)`,
        ),
      );
      checks.push({ type: 'bulk', rows: owners });
    }
  }
  parts.push(';\nCOMMIT');
  return { text: parts.join(''), checks };
}

/**
 * A statement spelled out; with `expect`, checked as check number `check`: the rows an INSERT,
 * UPDATE or DELETE changes, or those a SELECT finds (e.g. a fence that locks a row). `undefined`
 * for an `expect` on another statement or on one with its own RETURNING.
 */
function plainText(statement: SqlStatement, check: number): string | undefined {
  const text = spelledText(statement);
  if (text === undefined || !statement.expect) return text;
  const { sql } = statement;
  if (/\bRETURNING\b/i.test(sql)) return undefined;
  const select = /^\s*SELECT\b/i.test(sql);
  if (!select && !/^\s*(INSERT|UPDATE|DELETE)\b/i.test(sql)) return undefined;
  const rows = select ? text : `${text} RETURNING 1`;
  return `${CHECK_BEFORE}${rows}${checkAfter(check, statement.expect.changes, 'n')}`;
}

/**
 * The units a failed check of `group` fails, each with its mismatch error; `undefined` when
 * `error` is not a failed check; empty when it is one whose report cannot be read (the group is
 * then written unit by unit).
 */
export function failedUnits(
  group: GroupText,
  error: unknown,
): Map<number, () => Error> | undefined {
  if (!(error instanceof pg.DatabaseError)) return undefined;
  const at = error.message.indexOf(`${EXPECT_TAG}:`);
  if (at < 0) return undefined;
  const failed = new Map<number, () => Error>();
  const rest = error.message.slice(at + EXPECT_TAG.length + 1);
  const colon = rest.indexOf(':');
  const check = group.checks[Number(rest.slice(0, colon))];
  if (!check) return failed;
  if (check.type === 'units') {
    for (const { unit, mismatch } of check.failures) failed.set(unit, mismatch);
    return failed;
  }
  // The message quotes the string it could not cast (in the server's language): after the
  // check's number, the keys the statement changed as a JSON array.
  let keys: unknown;
  try {
    keys = JSON.parse(rest.slice(rest.indexOf('[', colon), rest.lastIndexOf(']') + 1));
  } catch {
    return failed;
  }
  if (!Array.isArray(keys)) return failed;
  const changed = new Set<unknown>(keys);
  for (const { key, unit, mismatch } of check.rows) {
    if (!changed.has(key)) failed.set(unit, mismatch);
  }
  return failed;
}

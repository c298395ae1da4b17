import type { SqlStatement, SqlValue } from './sql-driver';

/** One row of a bulk write: its values, in the kind's column order (the key first, if keyed). */
export type BulkRow = readonly SqlValue[];

/**
 * A kind of write that ticks, stored messages and publish marks repeat with different rows. A
 * driver that commits several units in one transaction may merge the statements of one kind
 * from every unit into a single multi-row statement (PostgreSQL does: one statement to parse
 * and plan instead of one per unit); others run each unit's own statement.
 */
export interface BulkKind {
  /** Statements of the same kind merge. */
  readonly name: string;
  /** PostgreSQL types of the columns, cast in the first row of a merged VALUES list. */
  readonly types: readonly string[];
  /**
   * Rows keyed by their first column in this space (a table): a group never merges two units
   * that write the same key, so each row of a merged statement is its own unit's.
   */
  readonly keySpace?: string;
  /**
   * Each row must change exactly one row (else its unit's `expect` fails); the merged statement
   * returns the key of every row it changed, as `key`.
   */
  readonly checked: boolean;
  /** The statement for one unit's rows, with `?` placeholders. */
  plain(rows: readonly BulkRow[]): { sql: string; params: SqlValue[] };
  /**
   * The merged statement (PostgreSQL): the SQL before and after the items of a `VALUES` list of
   * every unit's rows (a checked kind's returns the changed keys as `key`).
   */
  readonly merged: readonly [before: string, after: string];
}

/** Rows to merge: the kind and this statement's own rows. */
export interface BulkRows {
  readonly kind: BulkKind;
  readonly rows: readonly BulkRow[];
}

function placeholders(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
}

/**
 * The SQL of a statement for `count` rows, made by `make` once per count: the same string each
 * time, which a driver's cache of prepared statements finds without hashing a new one.
 */
function perRowCount(make: (count: number) => string): (count: number) => string {
  const made = new Map<number, string>();
  return (count) => {
    let sql = made.get(count);
    if (sql === undefined) {
      sql = make(count);
      // Row counts vary (history entries, messages sent): keep the common ones.
      if (made.size < 64) made.set(count, sql);
    }
    return sql;
  };
}

function flat(rows: readonly BulkRow[]): SqlValue[] {
  const params: SqlValue[] = [];
  for (const row of rows) for (const value of row) params.push(value);
  return params;
}

const MAILBOX_COLUMNS = 'pantheon_mailbox (id, recipient, message, enqueued_at)';

/** Inserts into the mailbox, ignoring ids stored already. Rows: id, recipient, message, enqueued_at. */
function mailboxInsert(name: string, checked: boolean): BulkKind {
  const sql = perRowCount(
    (count) =>
      `INSERT INTO ${MAILBOX_COLUMNS} VALUES ${placeholders(count, 4)} ON CONFLICT (id) DO NOTHING`,
  );
  return {
    name,
    types: ['text', 'text', 'text', 'bigint'],
    keySpace: 'mailbox',
    checked,
    plain: (rows) => ({
      sql: sql(rows.length),
      params: flat(rows),
    }),
    merged: [
      `INSERT INTO ${MAILBOX_COLUMNS} VALUES `,
      ` ON CONFLICT (id) DO NOTHING${checked ? ' RETURNING id AS key' : ''}`,
    ],
  };
}

/** Stores a message; a stored id fails its unit (`expect`: a duplicate). */
export const STORE_MESSAGE = mailboxInsert('store-message', true);

/** Stores the messages a tick delivers; a stored id is no failure. */
export const DELIVER_MESSAGE = mailboxInsert('deliver-message', false);

/** Acknowledges a waiting message. Rows: id, acked_at. */
export const ACKNOWLEDGE: BulkKind = {
  name: 'acknowledge',
  types: ['text', 'bigint'],
  keySpace: 'mailbox',
  checked: true,
  plain: (rows) => ({
    sql: 'UPDATE pantheon_mailbox SET acked_at = ? WHERE id = ? AND acked_at IS NULL',
    params: [rows[0]![1]!, rows[0]![0]!],
  }),
  merged: [
    'UPDATE pantheon_mailbox AS mailbox SET acked_at = rows.acked_at FROM (VALUES ',
    `) AS rows (id, acked_at)
      WHERE mailbox.id = rows.id AND mailbox.acked_at IS NULL RETURNING mailbox.id AS key`,
  ],
};

/** The stored columns of an actor, after `id` (and the base version of an update). */
const ACTOR_FIELDS = [
  'script_name',
  'script_version',
  'script_data',
  'name',
  'goals',
  'state',
  'metadata',
  'created_at',
  'updated_at',
] as const;
const ACTOR_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint'];

const INSERT_ACTOR_SQL = `INSERT INTO pantheon_actors (id, ${ACTOR_FIELDS.join(', ')}, version)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (id) DO NOTHING`;

/** Inserts a new actor at version 1 unless its id is taken. Rows: id, then `ACTOR_FIELDS`. */
export const INSERT_ACTOR: BulkKind = {
  name: 'insert-actor',
  types: ['text', ...ACTOR_TYPES],
  keySpace: 'actor',
  checked: true,
  plain: (rows) => ({ sql: INSERT_ACTOR_SQL, params: [...rows[0]!] }),
  merged: [
    `INSERT INTO pantheon_actors (id, ${ACTOR_FIELDS.join(', ')}, version)
      SELECT rows.*, 1 FROM (VALUES `,
    ') AS rows ON CONFLICT (id) DO NOTHING RETURNING id AS key',
  ],
};

/**
 * An update of the actor's `fields` (a suffix of `ACTOR_FIELDS`) if it still has the version the
 * writer read, bumping the version. Rows: id, base version, then the fields.
 */
function actorUpdate(name: string, fields: readonly string[], types: readonly string[]): BulkKind {
  const sql = `UPDATE pantheon_actors SET ${fields.map((field) => `${field} = ?`).join(', ')},
    version = version + 1 WHERE id = ? AND version = ?`;
  return {
    name,
    types: ['text', 'bigint', ...types],
    keySpace: 'actor',
    checked: true,
    plain: (rows) => {
      const [id, base, ...values] = rows[0]!;
      return {
        sql,
        params: [...values, id!, base!],
      };
    },
    merged: [
      `UPDATE pantheon_actors AS actors SET ${fields.map((field) => `${field} = rows.${field}`).join(', ')},
        version = actors.version + 1 FROM (VALUES `,
      `) AS rows (id, base, ${fields.join(', ')})
      WHERE actors.id = rows.id AND actors.version = rows.base RETURNING actors.id AS key`,
    ],
  };
}

/** Writes every column of an actor (`ACTOR_FIELDS`); see `actorUpdate`. */
export const UPDATE_ACTOR = actorUpdate('update-actor', ACTOR_FIELDS, ACTOR_TYPES);

/** The number of script columns at the start of `ACTOR_FIELDS`. */
export const SCRIPT_FIELDS = 3;

/**
 * Writes an actor whose script did not change: every column but the script's, so its stored data
 * (which holds the script's text sources) is not written again on every tick.
 */
export const UPDATE_ACTOR_STATE = actorUpdate(
  'update-actor-state',
  ACTOR_FIELDS.slice(SCRIPT_FIELDS),
  ACTOR_TYPES.slice(SCRIPT_FIELDS),
);

const APPEND_HISTORY_SQL = perRowCount(
  (count) =>
    `INSERT INTO pantheon_history (actor_id, conversation_id, message, created_at) VALUES ${placeholders(count, 4)}`,
);

/** Appends history entries, in order. Rows: actor_id, conversation_id, message, created_at. */
export const APPEND_HISTORY: BulkKind = {
  name: 'append-history',
  types: ['text', 'text', 'text', 'bigint'],
  checked: false,
  plain: (rows) => ({
    sql: APPEND_HISTORY_SQL(rows.length),
    params: flat(rows),
  }),
  merged: [
    'INSERT INTO pantheon_history (actor_id, conversation_id, message, created_at) VALUES ',
    '',
  ],
};

const STORE_OUTBOUND_SQL = perRowCount(
  (count) =>
    `INSERT INTO pantheon_outbox (id, message, created_at) VALUES ${placeholders(count, 3)} ON CONFLICT (id) DO NOTHING`,
);

/** Stores outbound messages, unless stored already. Rows: id, message, created_at. */
export const STORE_OUTBOUND: BulkKind = {
  name: 'store-outbound',
  types: ['text', 'text', 'bigint'],
  keySpace: 'outbox',
  checked: false,
  plain: (rows) => ({
    sql: STORE_OUTBOUND_SQL(rows.length),
    params: flat(rows),
  }),
  merged: [
    'INSERT INTO pantheon_outbox (id, message, created_at) VALUES ',
    ' ON CONFLICT (id) DO NOTHING',
  ],
};

const MARK_PUBLISHED_SQL = perRowCount(
  (count) =>
    `UPDATE pantheon_outbox SET published_at = ? WHERE published_at IS NULL AND id IN (${Array.from(
      { length: count },
      () => '?',
    ).join(', ')})`,
);

/** Marks outbound messages published. Rows: id, published_at (the same for a unit's rows). */
export const MARK_PUBLISHED: BulkKind = {
  name: 'mark-published',
  types: ['text', 'bigint'],
  keySpace: 'outbox',
  checked: false,
  plain: (rows) => ({
    sql: MARK_PUBLISHED_SQL(rows.length),
    params: [rows[0]![1]!, ...rows.map((row) => row[0]!)],
  }),
  merged: [
    'UPDATE pantheon_outbox AS outbox SET published_at = rows.published_at FROM (VALUES ',
    `) AS rows (id, published_at)
      WHERE outbox.id = rows.id AND outbox.published_at IS NULL`,
  ],
};

/**
 * A bulk write as a statement. Its own `sql` and `params` are built on first use: a driver that
 * merges the rows never needs them.
 */
class BulkStatement implements SqlStatement {
  private plain: { sql: string; params: SqlValue[] } | undefined;
  expect?: SqlStatement['expect'];

  constructor(readonly bulk: BulkRows) {}

  get sql(): string {
    this.plain ??= this.bulk.kind.plain(this.bulk.rows);
    return this.plain.sql;
  }

  get params(): SqlValue[] {
    this.plain ??= this.bulk.kind.plain(this.bulk.rows);
    return this.plain.params;
  }
}

/**
 * The statement writing `rows` of `kind`, mergeable with others of its kind. A checked kind
 * needs `mismatch`: the error of its unit when a row does not change exactly one row.
 */
export function bulkStatement(
  kind: BulkKind,
  rows: readonly BulkRow[],
  mismatch?: () => Error,
): SqlStatement {
  const statement = new BulkStatement({ kind, rows });
  if (kind.checked && mismatch) statement.expect = { changes: rows.length, mismatch };
  return statement;
}

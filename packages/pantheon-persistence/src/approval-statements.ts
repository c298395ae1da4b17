import type { ApprovalDecisionRecord, ApprovalRecord } from '@promethean-os/pantheon-core';
import type { SqlStatement } from './sql-driver';

/** A row of `pantheon_approvals`. */
export interface ApprovalRow {
  record: string;
  status: string;
  decision: string | null;
  settled_at: number | string | null;
}

/** The parts of an approval that change after it is stored live in their own columns. */
export function approvalOf(row: ApprovalRow): ApprovalRecord {
  const record = JSON.parse(row.record) as ApprovalRecord;
  record.status = row.status as ApprovalRecord['status'];
  if (row.decision !== null) record.decision = JSON.parse(row.decision);
  record.settled = row.settled_at !== null;
  return record;
}

/** Inserts a pending approval (ignored when its id is stored already: a replayed commit). */
export function approvalInsert(approval: ApprovalRecord, now: number): SqlStatement {
  const { status: _status, decision: _decision, settled: _settled, ...record } = approval;
  return {
    sql: `INSERT INTO pantheon_approvals (id, actor_id, record, status, requested_at)
      VALUES (?, ?, ?, 'pending', ?) ON CONFLICT (id) DO NOTHING`,
    params: [approval.id, approval.actorId, JSON.stringify(record), now],
  };
}

/** Settles approvals: the tick that resumed from them committed. */
export function approvalSettle(ids: readonly string[], now: number): SqlStatement[] {
  if (ids.length === 0) return [];
  return [
    {
      sql: `UPDATE pantheon_approvals SET settled_at = ? WHERE settled_at IS NULL AND id IN (${ids
        .map(() => '?')
        .join(', ')})`,
      params: [now, ...ids],
    },
  ];
}

/** Decides a pending approval; changes no row when it is not pending (`mismatch` then aborts). */
export function approvalDecide(
  id: string,
  decision: ApprovalDecisionRecord,
  mismatch: () => Error,
): SqlStatement {
  const { status, ...rest } = decision;
  return {
    sql: `UPDATE pantheon_approvals SET status = ?, decision = ?, decided_at = ?
      WHERE id = ? AND status = 'pending'`,
    params: [status, JSON.stringify(rest), decision.at, id],
    expect: { changes: 1, mismatch },
  };
}

import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ACKNOWLEDGE, bulkStatement } from './bulk-writes';
import { failedUnits, groupText } from './postgres-group';

/** Two ticks acknowledging `a` and `b`: the group's text has one merged, checked statement. */
function twoAcks() {
  const mismatches = [new Error('a handled'), new Error('b handled')];
  const units = ['a', 'b'].map((id, index) => ({
    statements: [bulkStatement(ACKNOWLEDGE, [[id, 1]], () => mismatches[index]!)],
  }));
  const group = groupText(units, true)!;
  return { group, mismatches };
}

/** A server error whose message is `report`. */
function castError(report: string): pg.DatabaseError {
  return new pg.DatabaseError(report, report.length, 'error');
}

describe('reading a failed check of a PostgreSQL group', () => {
  it('checks distinct guards of one bulk kind in one statement; a missing row fails every unit it guards', () => {
    const kind = { ...ACKNOWLEDGE, name: 'test-fence', keySpace: undefined };
    const guard = (key: string, mismatch: Error) => ({
      sql: 'SELECT 1 WHERE ? IS NOT NULL',
      params: [key],
      expect: { changes: 1, mismatch: () => mismatch },
      bulk: { kind, rows: [[key, 1]] },
    });
    const lost = [new Error('lease 1 lost'), new Error('lease 2 lost')];
    // Units 0 and 1 share the guard of lease 1; unit 2 has lease 2's.
    const units = [0, 0, 1].map((lease) => ({
      guard: guard(`lease-${lease + 1}`, lost[lease]!),
      statements: [],
    }));
    const group = groupText(units, true)!;
    expect(group.text.match(/UPDATE pantheon_mailbox/g)).toHaveLength(1);
    expect(group.text.match(/'lease-1'/g)).toHaveLength(1);
    const failed = failedUnits(
      group,
      castError('invalid input syntax for type integer: "pantheon-expect-failed:0:["lease-2"]"'),
    );
    expect([...failed!.keys()]).toEqual([0, 1]);
    expect(failed!.get(0)!()).toBe(lost[0]);
  });

  it('finds the ticks whose rows the merged statement did not change', () => {
    const { group, mismatches } = twoAcks();
    expect(group.text.match(/UPDATE pantheon_mailbox/g)).toHaveLength(1);
    const failed = failedUnits(
      group,
      castError('invalid input syntax for type integer: "pantheon-expect-failed:0:["a"]"'),
    );
    expect([...failed!.keys()]).toEqual([1]);
    expect(failed!.get(1)!()).toBe(mismatches[1]);
  });

  it('reads the report in a server speaking another language (other quotes)', () => {
    const { group } = twoAcks();
    const failed = failedUnits(
      group,
      castError('ungültige Eingabesyntax für Typ integer: »pantheon-expect-failed:0:["b"]«'),
    );
    expect([...failed!.keys()]).toEqual([0]);
  });

  it('leaves a report it cannot read to the tick-by-tick path, and other errors alone', () => {
    const { group } = twoAcks();
    expect(failedUnits(group, castError('pantheon-expect-failed:0:cut off'))).toEqual(new Map());
    expect(failedUnits(group, castError('pantheon-expect-failed:9:["a"]'))).toEqual(new Map());
    expect(failedUnits(group, castError('duplicate key value violates unique constraint'))).toBe(
      undefined,
    );
    expect(failedUnits(group, new Error('pantheon-expect-failed:0:["a"]'))).toBe(undefined);
  });
});

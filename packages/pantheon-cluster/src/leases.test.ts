import { openPostgresPersistence, ScriptRegistry } from '@promethean-os/pantheon-persistence';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from './cluster.test-support';
import { type Lease, LeaseTable } from './leases';

const schema = `pantheon_leases_${process.pid}_${crypto.randomUUID().slice(0, 8)}`;
const db = await openPostgresPersistence({
  connectionString: POSTGRES_URL,
  schema,
  scripts: new ScriptRegistry(),
});
afterAll(async () => {
  await db.close();
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

const LEASE_MS = 300;
const partitions = (leases: Lease[]) =>
  leases.map((lease) => lease.partition).sort((a, b) => a - b);
const expire = () => new Promise((resolve) => setTimeout(resolve, LEASE_MS + 100));

describe('LeaseTable on the real PostgreSQL', () => {
  it('renews only the leases a process runs; a restarted process with the same node id takes its rows back once they expire', async () => {
    const cluster = `leases_${crypto.randomUUID().slice(0, 8)}`;
    const before = new LeaseTable(db.driver, cluster, 'node-a', LEASE_MS);
    await before.install(4);
    const held = await before.acquire(4, []);
    expect(partitions(held)).toEqual([0, 1, 2, 3]);
    expect(partitions(await before.renew(held))).toEqual([0, 1, 2, 3]);

    // The process dies; a new one starts under the same node id and runs nothing yet: the rows
    // naming it are not renewed on its behalf, and it cannot take them while they are valid.
    const after = new LeaseTable(db.driver, cluster, 'node-a', LEASE_MS);
    expect(await after.renew([])).toEqual([]);
    expect(await after.acquire(4, [])).toEqual([]);
    await expire();
    const retaken = await after.acquire(4, []);
    expect(retaken).toEqual(held.map((lease) => ({ ...lease, epoch: lease.epoch + 1 })));
    // A renewal under the old epochs matches nothing: those leases are gone.
    expect(await after.renew(held)).toEqual([]);
  });

  it('never takes a partition the process runs, even once its lease ran out', async () => {
    const cluster = `leases_${crypto.randomUUID().slice(0, 8)}`;
    const table = new LeaseTable(db.driver, cluster, 'node-a', LEASE_MS);
    await table.install(4);
    const running = await table.acquire(2, []);
    expect(partitions(running)).toEqual([0, 1]);
    await expire();
    // Its own expired leases are the heartbeat's to renew or give up, not to take again.
    expect(partitions(await table.acquire(4, running))).toEqual([2, 3]);
    expect(partitions(await table.renew(running))).toEqual([0, 1]);
  });
});

import type { BusMessage, PantheonSystem } from '@promethean-os/pantheon-core';
import type { SimulationInvariant } from './types';

/** What the simulation records as it runs, for the built-in invariants. */
export interface Observations {
  /** Violations seen as they happened (in hooks and events), checked after the step. */
  violations: Array<{ invariant: string; violation: string }>;
  /** Successful bus sends per message id. */
  sends: Map<string, number>;
  /** Per actor, the ids of the user messages it accepted, in order. */
  userOrder: Map<string, string[]>;
  /** Per actor, message ids in the order their first tick started. */
  firstTicks: Map<string, string[]>;
  /** Messages the system let out as leaving it (`reply` events), not yet checked. */
  leftForActors: Array<{ message: BusMessage; step: number }>;
  /** Actors the simulation removed. */
  removed: Set<string>;
}

/** What the idle check needs of the current process. */
interface IdleView {
  system: PantheonSystem;
  started: ReadonlySet<string>;
  ticking: ReadonlyMap<string, number>;
  backoffUntil: ReadonlyMap<string, number>;
  idleWaits: ReadonlyArray<{ step: number; resolved: boolean }>;
  operations: number;
}

/** The invariants every simulation checks, in this order, before the caller's. */
export function builtInInvariants(
  observations: Observations,
  current: () => IdleView,
  durable: boolean,
  settleMs: number,
): SimulationInvariant[] {
  /** Since when nothing has run, as far as the simulation sees. */
  let idleSince: { process: IdleView; at: number } | undefined;
  return [
    {
      name: 'one fate per message',
      check({ messages }) {
        for (const [id, record] of messages) {
          if (record.handled > 1) return `message ${id} was handled ${record.handled} times`;
          if (record.answers > 0 && record.deadLetters.length > 0) {
            return `message ${id} was answered and also dead-lettered (${record.deadLetters.join(', ')})`;
          }
          if (record.handled > 0 && record.deadLetters.length > 0) {
            return `message ${id} was handled and also dead-lettered (${record.deadLetters.join(', ')})`;
          }
        }
      },
    },
    {
      // With a store, publishing is at least once (same id, receivers de-duplicate); without
      // one, nothing retries a send, so an id on the bus twice is a message sent twice.
      name: 'each message sent once',
      check() {
        if (durable) return;
        for (const [id, sends] of observations.sends) {
          if (sends > 1) return `message ${id} was sent on the bus ${sends} times`;
        }
      },
    },
    {
      name: 'nothing leaves the system for one of its actors',
      async check({ actors }) {
        if (observations.leftForActors.length === 0) return;
        const known = new Set((await actors.list()).map((actor) => actor.id));
        for (const { message, step } of observations.leftForActors.splice(0)) {
          if (known.has(message.to)) {
            return `message ${message.id} from ${message.from} to actor ${message.to} left the system as a reply (step ${step}) instead of reaching its mailbox`;
          }
        }
      },
    },
    {
      name: 'each actor handles a sender’s messages in order',
      check() {
        for (const [actorId, order] of observations.userOrder) {
          const position = new Map(order.map((id, index) => [id, index]));
          let last = -1;
          let lastId: string | undefined;
          for (const id of observations.firstTicks.get(actorId) ?? []) {
            const index = position.get(id);
            if (index === undefined) continue;
            if (index < last) {
              return `actor ${actorId} handled ${id} after ${lastId}, which was sent later`;
            }
            last = index;
            lastId = id;
          }
        }
      },
    },
    {
      // A turn goes on a little after its tick (publishing what it committed), so the check
      // waits until nothing has run for `settleMs` of virtual time.
      name: 'whenIdle resolves once nothing runs',
      async check({ now }) {
        const process = current();
        const busy = async () => {
          if (process.operations > 0) return true;
          for (const running of process.ticking.values()) if (running > 0) return true;
          for (const id of process.started) {
            if ((process.backoffUntil.get(id) ?? 0) > now) return true;
            const mailbox = await process.system.getMailbox(id).catch(() => []);
            if (mailbox.length > 0) return true;
          }
          return false;
        };
        if (await busy()) {
          idleSince = undefined;
          return;
        }
        if (idleSince?.process !== process) idleSince = { process, at: now };
        if (now - idleSince.at < settleMs) return;
        if (process.idleWaits.every((wait) => wait.resolved)) return;
        const waiting = process.idleWaits.find((wait) => !wait.resolved)!;
        return `whenIdle() called at step ${waiting.step} has not resolved, though no started actor has work and no tick runs`;
      },
    },
    {
      name: 'nothing accepted is lost',
      check({ final, messages }) {
        if (!final) return;
        for (const [id, record] of messages) {
          // Answered counts: a tick that replied and then failed may not end once the
          // conversation is over its budget (its message is consumed, not dead-lettered).
          if (record.handled > 0 || record.answers > 0 || record.deadLetters.length > 0) continue;
          // An actor removed from the state port is only noticed when it next ticks.
          if (observations.removed.has(record.message.to)) continue;
          return `message ${id} from ${record.message.from} to ${record.message.to} (accepted at step ${record.acceptedAt}) was neither handled nor dead-lettered after every actor drained its mailbox`;
        }
      },
    },
  ];
}

import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { LogFunction } from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';
import type { ClusterSubjects } from './partitioning';

/** A partition this process runs, whose consumer can remove what it handled from the stream. */
export interface TrimmablePartition {
  trimHandled(): Promise<number>;
}

/**
 * Keeps the cluster's JetStream stream from growing without end: every `intervalMs`, each
 * partition this process runs deletes the messages it has stored in PostgreSQL since the last
 * trim, and the replies published more than one interval ago go (each process's reply reader
 * takes them as they come; a new reader starts at the newest). A failure is logged and tried
 * again at the next interval.
 */
export class StreamTrimmer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  /** The stream's next sequence number at each trim, to find the replies of an interval ago. */
  private marks: { at: number; seq: number }[] = [];

  constructor(
    private readonly connection: NatsConnection,
    private readonly subjects: ClusterSubjects,
    private readonly intervalMs: number,
    private readonly partitions: () => readonly TrimmablePartition[],
    private readonly log: LogFunction,
  ) {}

  start(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.trim().finally(() => this.start());
    }, this.intervalMs);
    this.timer.unref?.();
  }

  /** Stops trimming, after the trim under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private async trim(): Promise<void> {
    const { stream, replies } = this.subjects;
    try {
      for (const partition of this.partitions()) await partition.trimHandled();
      const jsm = await jetstreamManager(this.connection);
      const now = Date.now();
      const { state } = await jsm.streams.info(stream);
      this.marks.push({ at: now, seq: state.last_seq + 1 });
      const cut = this.marks.filter((mark) => now - mark.at >= this.intervalMs).at(-1);
      if (!cut) return;
      await jsm.streams.purge(stream, { filter: `${replies}.>`, seq: cut.seq });
      this.marks = this.marks.filter((mark) => mark.at > cut.at);
    } catch (error) {
      this.log('Trimming the cluster stream failed; tried again at the next interval', {
        level: 'warn',
        stream,
        error: errorMessage(error),
      });
    }
  }
}

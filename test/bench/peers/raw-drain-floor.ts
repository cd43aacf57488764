// Contender (c), the floor: raw drivers only. Reads queued rows in order, POSTs batches of 500 with two in
// flight, deletes acked rows. About as fast as delivering over HTTP with a ledger can be on this machine.
import type { ChildRole } from '../harness/child-channel';
import { fillRawQueue, openRawQueue } from './raw-queue';
import { requestBody, SignedPoster } from './signed-post';

/** Config of a raw drain (floor or naive). */
export interface RawDrainConfig {
  readonly queueFile: string;
  readonly url: string;
  readonly secretEnv: string;
  readonly tasks: number;
  /** Namespace of the payloads (the run's id). */
  readonly run: string;
}

export const rawDrainFloorRole: ChildRole = async (config: RawDrainConfig, channel) => {
  const db = openRawQueue(config.queueFile);
  fillRawQueue(db, config.tasks, config.run);
  const poster = new SignedPoster(config.url, process.env[config.secretEnv]!);
  const read = db.prepare('SELECT id, body FROM queue WHERE id > ? ORDER BY id LIMIT 500').raw();
  const ack = db.prepare('DELETE FROM queue WHERE id >= ? AND id <= ?');
  channel.ready();
  await channel.nextGo();

  const started = performance.now();
  let cursor = 0;
  let delivered = 0;
  const lane = async (): Promise<void> => {
    for (;;) {
      const rows = read.all(cursor) as [number, string][];
      if (rows.length === 0) return;
      cursor = rows[rows.length - 1][0];
      await poster.postAndCheck(
        requestBody(
          'bench-floor',
          rows.map((r) => r[1]),
        ),
        rows.length,
      );
      ack.run(rows[0][0], rows[rows.length - 1][0]);
      delivered += rows.length;
    }
  };
  await Promise.all([lane(), lane()]);
  const ms = performance.now() - started;
  poster.close();
  const left = (db.prepare('SELECT COUNT(*) AS n FROM queue').get() as { n: number }).n;
  db.close();
  return { delivered, ms, left };
};

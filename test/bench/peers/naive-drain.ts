// Contender (a), the seed's pattern done literally: for each logged task, in sequence, one request to the
// target and wait for it (`new StagingTaskRunner(serverId).RunSynchronization(taskId)` per task).
import type { ChildRole } from '../harness/child-channel';
import type { RawDrainConfig } from './raw-drain-floor';
import { fillRawQueue, openRawQueue } from './raw-queue';
import { requestBody, SignedPoster } from './signed-post';

export const naiveDrainRole: ChildRole = async (config: RawDrainConfig, channel) => {
  const db = openRawQueue(config.queueFile);
  fillRawQueue(db, config.tasks, config.run);
  const poster = new SignedPoster(config.url, process.env[config.secretEnv]!, 1);
  const next = db.prepare('SELECT id, body FROM queue ORDER BY id LIMIT 1').raw();
  const ack = db.prepare('DELETE FROM queue WHERE id = ?');
  channel.ready();
  await channel.nextGo();

  const started = performance.now();
  let delivered = 0;
  for (
    let row = next.get() as [number, string] | undefined;
    row;
    row = next.get() as [number, string] | undefined
  ) {
    await poster.postAndCheck(requestBody('bench-naive', [row[1]]), 1);
    ack.run(row[0]);
    delivered++;
  }
  const ms = performance.now() - started;
  poster.close();
  db.close();
  return { delivered, ms, left: 0 };
};

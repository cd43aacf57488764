// The floor's receiver: raw fastify + better-sqlite3, checks the signature, applies each batch in one
// transaction with a ledger of task guids (so redelivery is harmless). What a receiver cannot do with less.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { ChildRole } from '../harness/child-channel';
import { signature } from './signed-post';

/** Config of the raw receiver role. */
export interface RawReceiverConfig {
  readonly dbFile: string;
  /** Environment variable holding the shared secret (never the secret itself). */
  readonly secretEnv: string;
}

/** Creates the article and ledger tables the raw receiver applies to. */
export function createRawReceiverSchema(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS article (id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE,
             title TEXT NOT NULL, body TEXT NOT NULL, views INTEGER NOT NULL);
           CREATE TABLE IF NOT EXISTS ledger (source TEXT NOT NULL, task_guid TEXT NOT NULL,
             PRIMARY KEY (source, task_guid)) WITHOUT ROWID;`);
}

interface WireTask {
  guid: string;
  taskType: string;
  objectGuid: string;
  data: { title: string; body: string; views: number };
}

export const rawReceiverRole: ChildRole = async (config: RawReceiverConfig, channel) => {
  const secret = process.env[config.secretEnv]!;
  const db = new Database(config.dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  createRawReceiverSchema(db);
  const remember = db.prepare('INSERT OR IGNORE INTO ledger (source, task_guid) VALUES (?, ?)');
  const upsert = db.prepare(`INSERT INTO article (guid, title, body, views) VALUES (?, ?, ?, ?)
     ON CONFLICT(guid) DO UPDATE SET title = excluded.title, body = excluded.body, views = excluded.views`);
  const remove = db.prepare('DELETE FROM article WHERE guid = ?');
  const stats = { requests: 0, applied: 0, duplicates: 0 };
  const apply = db.transaction((source: string, tasks: WireTask[]) =>
    tasks.map((task) => {
      if (remember.run(source, task.guid).changes === 0) return { guid: task.guid, status: 'duplicate' };
      if (task.taskType === 'delete') remove.run(task.objectGuid);
      else upsert.run(task.objectGuid, task.data.title, task.data.body, task.data.views);
      return { guid: task.guid, status: 'applied' };
    }),
  );

  const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/syncbus/staging/v1/tasks', async (req, reply) => {
    const raw = (req.body as Buffer).toString('utf8');
    const timestamp = String(req.headers['x-syncbus-timestamp'] ?? '');
    const given = Buffer.from(String(req.headers['x-syncbus-signature'] ?? ''));
    const expected = Buffer.from(signature(secret, timestamp, raw));
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return reply.code(401).send({});
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return reply.code(401).send({});
    const message = JSON.parse(raw) as { protocol: number; source: { server: string }; tasks: WireTask[] };
    if (message.protocol !== 1) return reply.code(409).send({});
    const results = apply(message.source.server, message.tasks);
    stats.requests++;
    for (const r of results) stats[r.status === 'applied' ? 'applied' : 'duplicates']++;
    return { results };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  channel.ready({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
  await channel.stopped;
  await app.close();
  db.close();
  return stats;
};

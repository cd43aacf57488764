// TypeORM queries on SQLite bind their integer parameters instead of writing them into the SQL text: one compiled
// statement for every value, with the values' types and text exactly as the literals gave them.
import { Kernel, Storage } from '@syncbus/core';
import { DataSource } from 'typeorm';
import { captureLogger } from '../support/captured-logger';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { Note, noteModules } from './note-fixture';

describe('SQLite number parameters', () => {
  let kernel: Kernel;
  let prepared: string[];
  let restore: () => void;

  beforeAll(async () => {
    kernel = await Kernel.boot({
      config: { database: { url: tempSqliteUrl('numbers') } },
      modules: noteModules,
      logger: captureLogger('warn').logger,
    });
    await kernel
      .get(DataSource)
      .getRepository(Note)
      .insert(
        Array.from({ length: 30 }, (_, i) => ({
          guid: `n-${i}`,
          title: `${i}`,
          revision: i,
          createdAt: new Date(),
        })),
      );
    // Records every statement SQLite compiles from here on (the real connection, only observed).
    const db = kernel.get(Storage).sqlite!.db;
    const prepare = db.prepare;
    prepared = [];
    db.prepare = function (this: typeof db, sql: string) {
      prepared.push(sql);
      return prepare.call(this, sql);
    } as typeof db.prepare;
    restore = () => (db.prepare = prepare);
  });
  afterAll(async () => {
    restore();
    await kernel.stop();
  });
  beforeEach(() => prepared.splice(0));

  const notes = () => kernel.get(DataSource).getRepository(Note);

  it('compiles a query once for every value of its integer parameters', async () => {
    for (let revision = 0; revision < 30; revision++) {
      const found = await notes().findOneByOrFail({ revision });
      expect(found.guid).toBe(`n-${revision}`);
    }
    const selects = prepared.filter((sql) => sql.includes('FROM "note"'));
    // The statement cache answers every later lookup: at most the first one compiled it.
    expect(selects.length).toBeLessThanOrEqual(1);
    expect(selects.join('\n')).not.toMatch(/= 2\d/);
  });

  it('keeps an integer an INTEGER: stored, compared and converted to text as the literal was', async () => {
    await notes()
      .createQueryBuilder()
      .insert()
      .values({ guid: 'as-text', title: 7 as unknown as string, revision: 7, createdAt: new Date() })
      .execute();
    const [row] = await kernel
      .get(DataSource)
      .query(
        `SELECT title, typeof(title) AS titleType, typeof(revision) AS revisionType FROM note WHERE guid = ?`,
        ['as-text'],
      );
    expect(row).toEqual({ title: '7', titleType: 'text', revisionType: 'integer' });
    // A text column compared with an integer parameter matches its text form, as `title = 12` does.
    const byTitle = await notes().createQueryBuilder('n').where('n.title = :title', { title: 12 }).getOne();
    expect(byTitle?.guid).toBe('n-12');
  });

  it('writes fractions into the text as before, and they compare as numbers', async () => {
    const below = await notes()
      .createQueryBuilder('n')
      .where('n.revision < :limit', { limit: 2.5 })
      .orderBy('n.revision')
      .getMany();
    expect(below.map((n) => n.revision)).toEqual([0, 1, 2]);
  });
});

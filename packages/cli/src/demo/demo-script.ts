// The scripted changes the demo makes on its source node: creates, updates, a delete and a burst.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Article, Category } from '@syncbus/sample-content-model';

/** One step of the script, announced before it runs. */
export interface DemoStep {
  readonly title: string;
  run(dataSource: DataSource): Promise<void>;
}

/** The demo's script; `burst` is how many article changes the last step makes at once. */
export function demoScript(burst: number): DemoStep[] {
  const guids = { welcome: randomUUID(), release: randomUUID(), draft: randomUUID() };
  return [
    {
      title: 'create two categories and three articles (the articles reference the categories)',
      run: (ds) =>
        ds.transaction(async (manager) => {
          const news = await manager.save(Category, { code: 'news', name: 'News' });
          const product = await manager.save(Category, { code: 'product', name: 'Product' });
          await manager.save(Article, {
            guid: guids.welcome,
            title: 'Welcome to syncbus',
            body: 'Hello.',
            categoryId: news.id,
          });
          await manager.save(Article, {
            guid: guids.release,
            title: 'Release 0.1',
            body: 'Notes.',
            categoryId: product.id,
          });
          await manager.save(Article, {
            guid: guids.draft,
            title: 'Draft',
            body: 'To be removed.',
            categoryId: news.id,
          });
        }),
    },
    {
      title: 'update an article: new title, moved to another category',
      run: async (ds) => {
        const article = await ds.getRepository(Article).findOneByOrFail({ guid: guids.welcome });
        const product = await ds.getRepository(Category).findOneByOrFail({ code: 'product' });
        await ds
          .getRepository(Article)
          .save({ ...article, title: 'Welcome to syncbus!', categoryId: product.id });
      },
    },
    {
      title: 'rename a category',
      run: async (ds) => {
        const news = await ds.getRepository(Category).findOneByOrFail({ code: 'news' });
        await ds.getRepository(Category).save({ ...news, name: 'Company news' });
      },
    },
    {
      title: 'delete the draft article',
      run: async (ds) => {
        await ds
          .getRepository(Article)
          .remove(await ds.getRepository(Article).findOneByOrFail({ guid: guids.draft }));
      },
    },
    {
      title: `a burst: ${burst} article changes, one transaction each, without waiting for delivery`,
      run: async (ds) => {
        const repository = ds.getRepository(Article);
        const news = await ds.getRepository(Category).findOneByOrFail({ code: 'news' });
        const writes: Promise<unknown>[] = [];
        for (let i = 0; i < burst; i++) {
          // Every fourth change updates an article made earlier in the burst; the others create new ones.
          if (i % 4 === 3) {
            const guid = `burst-${i - 1}`;
            writes.push(
              repository.findOneByOrFail({ guid }).then((a) => repository.save({ ...a, views: a.views + 1 })),
            );
          } else {
            writes.push(
              repository.save({ guid: `burst-${i}`, title: `Burst article ${i}`, categoryId: news.id }),
            );
          }
          if (i % 4 === 2) {
            await Promise.all(writes.splice(0));
            // Like requests of a real host, let the event loop breathe between changes: delivery runs meanwhile.
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
        await Promise.all(writes);
      },
    },
  ];
}

// The tasks every drain contender delivers: the same payloads, about 250 bytes of article each.
import { createHash } from 'node:crypto';

/** Object type of the benchmark's article entity on every receiver. */
export const BENCH_OBJECT_TYPE = 'bench.article';

/** A deterministic GUID for task or object `i` of a namespace, so runs are comparable. */
export function benchGuid(namespace: string, i: number): string {
  const hex = createHash('md5').update(`${namespace}:${i}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const BODY =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore '.repeat(
    2,
  );

/** The article values of object `i` (what the host would save). */
export function articleValues(i: number, run: string) {
  return { guid: benchGuid(`${run}:article`, i), title: `Article ${i}`, body: BODY, views: i % 1000 };
}

/** One task in the staging wire format (`StagingWireTaskSchema`): a create of article `i`. */
export function benchTask(i: number, run: string) {
  const article = articleValues(i, run);
  return {
    guid: benchGuid(`${run}:task`, i),
    taskType: 'create',
    objectType: BENCH_OBJECT_TYPE,
    objectGuid: article.guid,
    objectId: String(i + 1),
    title: article.title,
    data: article,
    createdAt: Date.now(),
    origin: [] as string[],
    users: [] as string[],
    groups: [] as string[],
  };
}

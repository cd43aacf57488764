// A property-based fuzz of the staging receiver over real HTTP. Oracle: no 5xx, no crash, nothing applied without
// a valid signature, and the ledger holds exactly the tasks answered `applied`. Runs a bounded number of requests
// in `npm test`; SYNCBUS_FUZZ_RUNS=5000 runs more (fast-check prints the seed of a failure, to replay it).
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SIGNATURE_HEADER, STAGING_TASKS_PATH, TIMESTAMP_HEADER } from '@syncbus/staging';
import { signHmacRequest } from '@syncbus/core';
import { StagingReceivedTask } from '@syncbus/staging/internal';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';

const RUNS = Number(process.env.SYNCBUS_FUZZ_RUNS ?? 150);

describe('staging receiver fuzz', () => {
  const secret = createTestSecret();
  let node: StagingNode;
  beforeAll(async () => {
    node = await bootStagingNode({
      name: 'target',
      acceptFrom: [{ server: 'source', secret }],
      staging: { receiver: { maxBodyBytes: 256 * 1024 } },
    });
  });
  afterAll(() => node.stop());

  const json = fc.jsonValue({ maxDepth: 6 });
  const code = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
  /** Mostly well-formed tasks (so requests get applied), each field now and then nonsense. */
  const often = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
    fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: bad });
  const task = fc.record({
    guid: often(
      fc.constant(null).map(() => randomUUID()),
      fc.string({ maxLength: 40 }),
    ),
    taskType: often(fc.constantFrom('create', 'update', 'delete'), fc.constantFrom('publish', '')),
    objectType: often(fc.constant('cms.category'), fc.constantFrom('cms.article', 'cms.page')),
    objectGuid: code,
    objectId: fc.oneof(fc.constant('1'), fc.constant(null)),
    title: fc.string({ maxLength: 20 }),
    data: often(
      fc.record({ code, name: fc.string({ maxLength: 30 }) }),
      fc.oneof(
        fc.record({ guid: code, title: fc.string({ maxLength: 30 }), views: fc.oneof(fc.integer(), json) }),
        fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 4 }),
      ),
    ),
    createdAt: often(
      fc.constant(null).map(() => Date.now()),
      fc.oneof(fc.integer(), fc.string()),
    ),
    origin: often(fc.constant([]), fc.array(fc.string({ maxLength: 10 }), { maxLength: 2 })),
    users: fc.array(fc.string({ maxLength: 10 }), { maxLength: 2 }),
    groups: fc.constant([]),
  });
  const body = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(task, { maxLength: 5 })
        .map((tasks) => ({ protocol: 1, source: { server: 'source' }, tasks })),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(task, { maxLength: 3 })
        .map((tasks) => ({ protocol: 1, source: { server: 'intruder' }, tasks })),
    },
    { weight: 1, arbitrary: json },
  );
  const request = fc.record({
    body: fc.oneof(
      { weight: 8, arbitrary: body.map((b) => JSON.stringify(b)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    ),
    signing: fc.constantFrom('valid', 'valid', 'valid', 'wrong-key', 'garbage', 'missing', 'stale'),
    contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain'),
  });

  it('never answers 5xx, applies nothing unsigned, and ledgers exactly what it answered applied', async () => {
    let applied = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ body: raw, signing, contentType }) => {
        const now = Math.floor(Date.now() / 1000);
        const timestamp = signing === 'stale' ? now - 3600 : now;
        const key = signing === 'wrong-key' ? 'not-the-secret' : secret.value;
        const headers: Record<string, string> = {
          'content-type': contentType,
          [TIMESTAMP_HEADER]: String(timestamp),
        };
        if (signing === 'garbage') headers[SIGNATURE_HEADER] = 'v1=zz';
        else if (signing !== 'missing') headers[SIGNATURE_HEADER] = signHmacRequest(key, timestamp, raw);
        const response = await fetch(`${node.url}${STAGING_TASKS_PATH}`, {
          method: 'POST',
          headers,
          body: raw,
        });
        const reply = (await response.json()) as { results?: { status: string }[] };
        expect(response.status).toBeLessThan(500);
        if (signing !== 'valid' || contentType !== 'application/json') expect(response.status).not.toBe(200);
        if (response.status === 200)
          applied += (reply.results ?? []).filter((r) => r.status === 'applied').length;
      }),
      { numRuns: RUNS },
    );
    expect(await node.storage.dataSource.getRepository(StagingReceivedTask).count()).toBe(applied);
  }, 120_000);
});

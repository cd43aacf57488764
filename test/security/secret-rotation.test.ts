// Rotating a source's shared secret without a window of failed deliveries: the receiver accepts the old and the
// new secret while the sender switches, and a sender may sign with both (several v1= signatures in the header).
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, STAGING_TASKS_PATH, TIMESTAMP_HEADER } from '@syncbus/staging';
import { signHmacRequest } from '@syncbus/core';
import {
  bootStagingNode,
  createTestSecret,
  type StagingNode,
  type TestSecret,
} from '../support/staging-nodes';

describe('shared secret rotation', () => {
  const oldSecret = createTestSecret();
  const newSecret = createTestSecret();
  let node: StagingNode | undefined;
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });

  const boot = async (secrets: readonly TestSecret[]) => {
    node = await bootStagingNode({
      name: 'target',
      staging: { receiver: { sources: [{ server: 'source', secret: secrets.map((s) => s.ref) }] } },
    });
    return node;
  };
  const body = () => {
    const code = `c-${randomUUID().slice(0, 8)}`;
    return JSON.stringify({
      protocol: 1,
      source: { server: 'source' },
      tasks: [
        {
          guid: randomUUID(),
          taskType: 'create',
          objectType: 'cms.category',
          objectGuid: code,
          objectId: '1',
          title: 'C',
          data: { code, name: 'C' },
          createdAt: Date.now(),
          origin: [],
          users: [],
          groups: [],
        },
      ],
    });
  };
  const post = async (n: StagingNode, signWith: readonly string[]) => {
    const raw = body();
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(`${n.url}${STAGING_TASKS_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWith.map((secret) => signHmacRequest(secret, timestamp, raw)).join(','),
      },
      body: raw,
    });
    const reply = (await response.json()) as { results?: { status: string }[] };
    return { status: response.status, result: reply.results?.[0]?.status };
  };

  it('accepts either secret while both are listed, then only the new one', async () => {
    const both = await boot([oldSecret, newSecret]);
    expect(await post(both, [oldSecret.value])).toEqual({ status: 200, result: 'applied' });
    expect(await post(both, [newSecret.value])).toEqual({ status: 200, result: 'applied' });
    // A sender in the middle of its switch signs with both; either signature is enough.
    expect(await post(both, ['wrong-secret', newSecret.value])).toEqual({ status: 200, result: 'applied' });
    expect(await post(both, ['wrong-secret'])).toMatchObject({ status: 401 });
    await both.stop();

    const rotated = await boot([newSecret]);
    expect(await post(rotated, [oldSecret.value])).toMatchObject({ status: 401 });
    expect(await post(rotated, [newSecret.value])).toEqual({ status: 200, result: 'applied' });
  });
});

// The admin API's live event stream over real HTTP: a client sees tasks logged, delivered and retried, and a job's
// progress, as they happen; a client that stops reading is dropped instead of holding the node's memory.
import { AdminEventStream, AdminModule } from '@syncbus/admin';
import { SynchronizationInfoProvider } from '@syncbus/staging';
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { startGatedProxy, type GatedProxy } from '../autosync/gated-proxy';
import { Article } from '../support/content-model';
import { bootStagingNode, createTestSecret, eventually, type StagingNode } from '../support/staging-nodes';

const API = '/syncbus/admin/v1';

describe('the admin event stream', () => {
  const operator = createTestSecret();
  let target: StagingNode;
  let source: StagingNode;
  let proxy: GatedProxy;
  const events: { type: string; data: any }[] = [];
  const abort = new AbortController();

  beforeAll(async () => {
    const secret = createTestSecret();
    target = await bootStagingNode({ name: 'production', acceptFrom: [{ server: 'editorial', secret }] });
    proxy = await startGatedProxy(target.url!);
    source = await bootStagingNode({
      name: 'editorial',
      modules: [AdminModule],
      servers: [{ name: 'production', url: proxy.url, secret }],
      config: {
        admin: {
          enabled: true,
          eventBufferBytes: 16_384,
          tokens: [{ name: 'ops', role: 'operator', token: operator.ref }],
        },
      },
    });
  });
  afterAll(async () => {
    abort.abort();
    await source.stop();
    await proxy.close();
    await target.stop();
  });

  /** Reads the stream in the background, parsing each `event:` / `data:` frame. */
  async function follow(): Promise<void> {
    const response = await fetch(`${source.url}${API}/events`, {
      headers: { authorization: `Bearer ${operator.value}` },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffered += value;
        let end;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const type = /^event: (.+)$/m.exec(frame)?.[1];
          const data = /^data: (.+)$/m.exec(frame)?.[1];
          if (type && data) events.push({ type, data: JSON.parse(data) });
        }
      }
    })();
    await eventually(() => source.kernel.get(AdminEventStream).connected === 1, 'the client to be attached');
  }
  const of = (type: string) => events.filter((e) => e.type === type);
  const post = (path: string, body: unknown) =>
    fetch(`${source.url}${API}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator.value}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  it('refuses a stream without a token', async () => {
    expect((await fetch(`${source.url}${API}/events`)).status).toBe(401);
  });

  it('streams tasks logged, delivered and retried, and a job from start to finish', async () => {
    await follow();
    const articles = source.storage.dataSource.getRepository(Article);
    for (const guid of ['e-1', 'e-2', 'e-3']) await articles.save({ guid, title: `Event ${guid}` });
    await eventually(() => of('task.logged').length === 3, 'three task.logged events');
    expect(of('task.logged').map((e) => e.data)).toEqual(
      ['e-1', 'e-2', 'e-3'].map((guid) =>
        expect.objectContaining({ objectType: 'cms.article', objectGuid: guid, taskType: 'create' }),
      ),
    );

    const [first] = await source.kernel.get(SynchronizationInfoProvider).list();
    expect(await post('/staging/tasks/retry', { taskIds: [first.taskId] })).toMatchObject({ status: 200 });
    await eventually(() => of('task.retried').length === 1, 'the task.retried event');
    expect(of('task.retried')[0].data).toMatchObject({ taskIds: [first.taskId], actor: 'ops', affected: 1 });

    const job = await post('/staging/tasks/synchronize', { server: 'production' });
    expect(job.status).toBe(202);
    await eventually(() => of('job.finished').length === 1, 'the job.finished event');
    expect(of('task.delivered').map((e) => e.data.taskId)).toHaveLength(3);
    expect(of('task.delivered')[0].data).toMatchObject({ server: 'production', guid: expect.any(String) });
    expect(of('job.progress').at(-1)!.data).toMatchObject({ id: job.body.id, done: 3 });
    expect(of('job.finished')[0].data).toMatchObject({ id: job.body.id, status: 'succeeded', done: 3 });
  });

  it('streams a whole failed batch as task.failed, once per task', async () => {
    proxy.down = true;
    try {
      await source.storage.dataSource.getRepository(Article).save({ guid: 'e-down', title: 'While down' });
      await post('/staging/tasks/synchronize', { server: 'production' });
      await eventually(() => of('task.failed').length === 1, 'the task.failed event');
      expect(of('task.failed')[0].data).toMatchObject({
        server: 'production',
        batch: true,
        error: expect.any(String),
      });
    } finally {
      proxy.down = false;
    }
  });

  // A real socket that stops reading takes megabytes of kernel buffers before the node's own buffer grows, so
  // the slow client here is a PassThrough nobody reads: the same writableLength the node checks on a socket.
  it('drops a client that does not read once its unsent bytes pass admin.eventBufferBytes', async () => {
    const stream = source.kernel.get(AdminEventStream);
    const slow = new PassThrough({ highWaterMark: 1024 });
    const before = stream.dropped;
    const connected = stream.connected;
    stream.attach(slow as unknown as ServerResponse);
    expect(stream.connected).toBe(connected + 1);
    // Bursts of 4 KiB with a turn of the event loop between them, so the reading client's socket flushes as a
    // socket does; the PassThrough keeps every byte.
    for (let i = 0; i < 400 && !slow.destroyed; i++) {
      stream.publish({ type: 'test.padding', data: { i, padding: 'x'.repeat(150) } });
      if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(slow.destroyed).toBe(true);
    expect(stream.dropped).toBe(before + 1);
    expect(stream.connected).toBe(connected);
    // The reading client is still there and still fed.
    stream.publish({ type: 'test.after', data: {} });
    await eventually(() => of('test.after').length === 1, 'the reading client to get the next event');
  });

  it('ends open streams when the node stops, so it stops promptly', async () => {
    const node = await bootStagingNode({
      name: 'stopping',
      modules: [AdminModule],
      config: { admin: { enabled: true, tokens: [{ name: 'ops', role: 'operator', token: operator.ref }] } },
    });
    const response = await fetch(`${node.url}${API}/events`, {
      headers: { authorization: `Bearer ${operator.value}` },
    });
    const ended = response.body!.pipeTo(new WritableStream()).then(() => 'ended');
    await eventually(() => node.kernel.get(AdminEventStream).connected === 1, 'the client to be attached');
    await node.stop();
    expect(await ended).toBe('ended');
  });
});

import { createLogger, Secret, SyncbusError, signHmacRequest } from '@syncbus/core';
import { httpStatusOf } from '@syncbus/server';
import { StagingRequestVerifier } from './staging-request-verifier';
import { StagingSettingsSchema } from './staging-settings';

describe('StagingRequestVerifier', () => {
  process.env.SYNCBUS_SPEC_SOURCE_SECRET = 'spec-secret';
  process.env.SYNCBUS_SPEC_OTHER_SECRET = 'other-secret';
  afterAll(() => {
    delete process.env.SYNCBUS_SPEC_SOURCE_SECRET;
    delete process.env.SYNCBUS_SPEC_OTHER_SECRET;
  });
  const settings = StagingSettingsSchema.parse({
    receiver: {
      maxBodyBytes: 2048,
      sources: [
        { server: 'other', secret: 'env:SYNCBUS_SPEC_OTHER_SECRET' },
        { server: 'source', secret: 'env:SYNCBUS_SPEC_SOURCE_SECRET' },
      ],
    },
  });
  const verifier = new StagingRequestVerifier(settings, createLogger({ level: 'silent' }));
  const now = () => Math.floor(Date.now() / 1000);
  const task = {
    guid: 'g-1',
    taskType: 'update',
    objectType: 'cms.category',
    objectGuid: 'news',
    objectId: null,
    title: 'News',
    data: { name: 'News' },
    createdAt: 1,
    origin: [],
    users: [],
    groups: [],
  };
  const request = (body: unknown, timestamp = now(), secret = 'spec-secret') => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return {
      rawBody: Buffer.from(raw),
      timestamp: String(timestamp),
      signature: signHmacRequest(secret, timestamp, raw),
    };
  };
  const rejection = (input: ReturnType<typeof request>) => {
    try {
      verifier.verify(input);
    } catch (error) {
      // StagingRequestRejectedError, or a ValidationError for a body of the wrong shape: answered as the node does.
      expect(error).toBeInstanceOf(SyncbusError);
      return `${httpStatusOf(error)} ${(error as SyncbusError).code}`;
    }
    return 'accepted';
  };

  it('parses a good request, and reads source secrets as Secrets', () => {
    expect(settings.receiver.sources[0].secret).toBeInstanceOf(Secret);
    expect(verifier.verify(request({ protocol: 1, source: { server: 'source' }, tasks: [task] }))).toEqual({
      protocol: 1,
      source: { server: 'source' },
      tasks: [task],
    });
  });

  it('answers an unknown source and a bad signature with the same message', () => {
    const good = { protocol: 1, source: { server: 'source' }, tasks: [task] };
    const message = (input: ReturnType<typeof request>) => {
      try {
        verifier.verify(input);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    const unknown = message(request({ ...good, source: { server: 'nobody' } }));
    expect(unknown).toBe(message(request(good, now(), 'wrong')));
    expect(unknown).not.toContain('nobody');
  });

  it('answers each kind of bad request with its status', () => {
    const good = { protocol: 1, source: { server: 'source' }, tasks: [task] };
    expect(rejection(request('x'.repeat(3000)))).toBe('413 BODY_TOO_LARGE');
    expect(rejection(request('{'))).toBe('400 MALFORMED_JSON');
    expect(rejection(request({ protocol: 1, tasks: [] }))).toBe('400 INVALID_REQUEST');
    // An unknown source is answered like a bad signature: the answer does not tell which names are configured.
    expect(rejection(request({ ...good, source: { server: 'nobody' } }))).toBe('401 BAD_SIGNATURE');
    expect(rejection(request(good, now(), 'wrong'))).toBe('401 BAD_SIGNATURE');
    expect(
      rejection({ ...request({ ...good, source: { server: 'nobody' } }), signature: undefined } as never),
    ).toBe('401 UNSIGNED_REQUEST');
    expect(rejection({ ...request(good), signature: undefined } as never)).toBe('401 UNSIGNED_REQUEST');
    expect(rejection(request(good, now() - 301))).toBe('401 STALE_TIMESTAMP');
    expect(rejection(request(good, now() + 301))).toBe('401 STALE_TIMESTAMP');
    expect(rejection(request(good, now() - 299))).toBe('accepted');
    expect(rejection(request({ ...good, protocol: 3 }))).toBe('409 PROTOCOL_MISMATCH');
    expect(rejection(request({ ...good, tasks: [{ ...task, extra: 1 }] }))).toBe('400 INVALID_REQUEST');
    expect(rejection(request({ ...good, tasks: [{ ...task, createdAt: '1' }] }))).toBe('400 INVALID_REQUEST');
  });

  it('checks the signature before it parses the body, against every source, and holds the body to its signer', () => {
    const good = { protocol: 1, source: { server: 'source' }, tasks: [task] };
    // Without a valid signature the body is never parsed: not JSON, or no source, is still a 401.
    expect(rejection(request('{', now(), 'wrong'))).toBe('401 BAD_SIGNATURE');
    expect(rejection({ ...request('{'), signature: undefined } as never)).toBe('401 UNSIGNED_REQUEST');
    expect(rejection(request('{', now() - 301))).toBe('401 STALE_TIMESTAMP');
    expect(rejection(request({ protocol: 1, tasks: [] }, now(), 'wrong'))).toBe('401 BAD_SIGNATURE');
    // Each source signs with its own secret, found without reading the body...
    expect(rejection(request({ ...good, source: { server: 'other' } }, now(), 'other-secret'))).toBe(
      'accepted',
    );
    // ...and one source cannot send in the name of another.
    expect(rejection(request({ ...good, source: { server: 'other' } }))).toBe('401 BAD_SIGNATURE');
    expect(rejection(request(good, now(), 'other-secret'))).toBe('401 BAD_SIGNATURE');
  });

  it('tells an unsigned request from a badly signed one when no source is configured', () => {
    const none = new StagingRequestVerifier(
      StagingSettingsSchema.parse({ receiver: { sources: [] } }),
      createLogger({ level: 'silent' }),
    );
    const good = request({ protocol: 1, source: { server: 'source' }, tasks: [task] });
    expect(() => none.verify(good)).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    expect(() => none.verify({ ...good, signature: undefined })).toThrow(
      expect.objectContaining({ code: 'UNSIGNED_REQUEST' }),
    );
  });
});

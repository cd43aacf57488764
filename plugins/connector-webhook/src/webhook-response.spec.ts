import { failureOf, MAX_RETRY_AFTER_MS, outcomeOf, retryAfterMs, snippet } from './webhook-response';

describe('webhook results', () => {
  const url = 'https://crm.example.test/hook';
  const reply = (status: number, extra: Partial<Parameters<typeof outcomeOf>[0]> = {}) =>
    outcomeOf({ status, body: '', ...extra }, 'Error', url);

  it('2xx is OK whatever the body says', () => {
    expect(reply(200, { body: '\u0000garbage{{' })).toBe('OK');
    expect(reply(204)).toBe('OK');
  });

  it('3xx is an Error naming the redirect', () => {
    expect(reply(302, { location: 'https://elsewhere.test/' })).toEqual({
      result: 'Error',
      message: expect.stringContaining('redirecting to https://elsewhere.test/; redirects are not followed'),
    });
  });

  it('429, 502, 503 and 504 say the endpoint is unavailable, honouring Retry-After', () => {
    expect(reply(503, { retryAfter: '7', body: 'busy' })).toEqual({
      result: 'Error',
      message: `${url} answered 503: busy; paused, retrying`,
      retryAfterMs: 7000,
      unavailable: true,
    });
    for (const status of [429, 502, 504])
      expect(reply(status)).toMatchObject({ result: 'Error', retryAfterMs: undefined, unavailable: true });
  });

  it('408 and other 5xx are retried Errors of the task', () => {
    for (const status of [408, 500, 501]) {
      const outcome = reply(status, { retryAfter: '3' });
      expect(outcome).toMatchObject({ result: 'Error', retryAfterMs: 3000 });
      expect(outcome).not.toHaveProperty('unavailable');
    }
  });

  it('other 4xx follow on4xx', () => {
    expect(reply(422, { body: 'bad title' })).toMatchObject({
      result: 'Error',
      message: expect.stringContaining('422: bad title'),
    });
    expect(outcomeOf({ status: 404, body: '' }, 'ErrorAndSkip', url)).toMatchObject({
      result: 'ErrorAndSkip',
    });
  });

  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('999999', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('0', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('keeps untrusted bodies short and printable; failures say what happened', () => {
    expect(snippet(`a\u0000\u001b[31mb${'x'.repeat(500)}`)).toMatch(/^a \[31mbx+\.\.\.$/);
    expect(snippet('x'.repeat(500)).length).toBe(203);
    const timeout = Object.assign(new Error('aborted'), { name: 'TimeoutError' });
    expect(failureOf(timeout, url, 50)).toEqual({
      result: 'Error',
      message: `${url} did not answer within 50 ms; paused, retrying`,
      unavailable: true,
    });
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET']) {
      const failed = Object.assign(new TypeError('fetch failed'), { cause: { code } });
      expect(failureOf(failed, url, 50)).toEqual({
        result: 'Error',
        message: `could not reach ${url} (${code}); paused, retrying`,
        unavailable: true,
      });
    }
  });
});

import { createHmac } from 'node:crypto';
import { checkHmacRequest, signHmacRequest, verifyHmacSignature } from './hmac-signature';

describe('hmac request signature', () => {
  const body = '{"task":{"guid":"g-1"}}';
  const secret = 'shared';

  it('is v1= and the hex HMAC-SHA256 of timestamp "." raw body, as any receiver computes it', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signHmacRequest(secret, 1700000000, body)).toBe(`v1=${expected}`);
    expect(signHmacRequest(secret, '1700000000', Buffer.from(body))).toBe(`v1=${expected}`);
  });

  it('verifies only the exact secret, timestamp and bytes', () => {
    const signature = signHmacRequest(secret, 1700000000, body);
    expect(verifyHmacSignature(secret, '1700000000', Buffer.from(body), signature)).toBe(true);
    expect(verifyHmacSignature('other', '1700000000', body, signature)).toBe(false);
    expect(verifyHmacSignature(secret, '1700000001', body, signature)).toBe(false);
    expect(verifyHmacSignature(secret, '1700000000', `${body} `, signature)).toBe(false);
    expect(verifyHmacSignature(secret, '1700000000', body, signature.slice(0, -1))).toBe(false);
    expect(verifyHmacSignature(secret, '1700000000', body, `v2=${signature.slice(3)}`)).toBe(false);
    expect(verifyHmacSignature(secret, '1700000000', body, '')).toBe(false);
  });

  it('checks presence, signature and the timestamp window', () => {
    const nowMs = 1_700_000_000_000;
    const timestamp = '1700000000';
    const signature = signHmacRequest(secret, timestamp, body);
    const check = (over: Partial<Parameters<typeof checkHmacRequest>[0]>) =>
      checkHmacRequest({
        secret,
        timestamp,
        signature,
        rawBody: body,
        toleranceSeconds: 300,
        nowMs,
        ...over,
      });
    expect(check({})).toBe('ok');
    expect(check({ rawBody: Buffer.from(body) })).toBe('ok');
    expect(check({ signature: undefined })).toBe('unsigned');
    expect(check({ timestamp: 'yesterday' })).toBe('unsigned');
    expect(check({ secret: 'other' })).toBe('bad-signature');
    expect(check({ rawBody: `${body} ` })).toBe('bad-signature');
    expect(check({ nowMs: nowMs + 301_000 })).toBe('stale');
    expect(check({ nowMs: nowMs - 301_000 })).toBe('stale');
    expect(check({ nowMs: nowMs + 299_000 })).toBe('ok');
  });
});

import { createHmac } from 'node:crypto';
import { signStagingRequest, verifyStagingSignature } from './request-signature';

describe('request signature', () => {
  const body = '{"protocol":1,"source":{"server":"source"},"tasks":[]}';

  it('is v1= and the hex HMAC-SHA256 of timestamp "." raw body', () => {
    const expected = createHmac('sha256', 'shared').update(`1700000000.${body}`).digest('hex');
    expect(signStagingRequest('shared', 1700000000, body)).toBe(`v1=${expected}`);
    expect(signStagingRequest('shared', '1700000000', Buffer.from(body))).toBe(`v1=${expected}`);
  });

  it('verifies only the exact secret, timestamp and bytes', () => {
    const signature = signStagingRequest('shared', 1700000000, body);
    expect(verifyStagingSignature('shared', '1700000000', Buffer.from(body), signature)).toBe(true);
    expect(verifyStagingSignature('other', '1700000000', body, signature)).toBe(false);
    expect(verifyStagingSignature('shared', '1700000001', body, signature)).toBe(false);
    expect(verifyStagingSignature('shared', '1700000000', `${body} `, signature)).toBe(false);
    expect(verifyStagingSignature('shared', '1700000000', body, signature.slice(0, -1))).toBe(false);
    expect(verifyStagingSignature('shared', '1700000000', body, `v2=${signature.slice(3)}`)).toBe(false);
    expect(verifyStagingSignature('shared', '1700000000', body, '')).toBe(false);
  });
});

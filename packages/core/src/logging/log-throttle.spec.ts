import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { LogThrottle } from './log-throttle';

describe('LogThrottle', () => {
  it('writes one line per reason per interval and says how many it left out', () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    let now = 0;
    const throttle = new LogThrottle(createLogger({ destination }), 1000, () => now);
    for (let i = 0; i < 100; i++) throttle.warn('bad signature', {}, 'refused');
    throttle.warn('stale', {}, 'refused');
    now = 1000;
    throttle.warn('bad signature', {}, 'refused');
    expect(lines.map((l) => [l.reason, l.suppressed])).toEqual([
      ['bad signature', undefined],
      ['stale', undefined],
      ['bad signature', 99],
    ]);
  });
});

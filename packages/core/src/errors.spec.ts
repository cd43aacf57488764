import { z } from 'zod';
import { ConfigError, formatProblems, SyncbusError, ValidationError } from './errors';
import { zodProblems } from './util/zod-problems';

describe('the one error for wrong fields', () => {
  const problems = [
    { path: 'servers.0.url', message: 'must be a URL' },
    { path: '', message: 'must be an object' },
  ];

  it('writes problems one way: a list, or inline for a one-line message', () => {
    expect(formatProblems(problems)).toBe('  - servers.0.url: must be a URL\n  - (root): must be an object');
    expect(formatProblems(problems, 'inline')).toBe(
      'servers.0.url: must be a URL; (root): must be an object',
    );
    expect(formatProblems([])).toBe('');
  });

  it('says what was wrong and what to do, then every field', () => {
    const error = new ValidationError(
      'INVALID_THING',
      'Invalid thing; fix these fields and send it again',
      problems,
    );
    expect(error).toBeInstanceOf(SyncbusError);
    expect(error).toMatchObject({
      code: 'INVALID_THING',
      kind: 'invalid',
      problems,
      name: 'ValidationError',
    });
    expect(error.message).toBe(
      'Invalid thing; fix these fields and send it again:\n' +
        '  - servers.0.url: must be a URL\n' +
        '  - (root): must be an object',
    );
  });

  it('is what ConfigError is, with its code and message as before', () => {
    const error = new ConfigError(problems.slice(0, 1), 'syncbus.json');
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', kind: 'invalid', name: 'ConfigError' });
    expect(error.message).toBe(
      'Invalid syncbus.json; fix these fields and start again:\n  - servers.0.url: must be a URL',
    );
  });

  it("takes zod's issues by path, prefixed", () => {
    const parsed = z
      .object({ port: z.number(), host: z.string() })
      .strict()
      .safeParse({ port: 'x', extra: 1 });
    expect(zodProblems(parsed.error!, 'http').map((p) => p.path)).toEqual(['http.port', 'http.host', 'http']);
  });

  it('keeps kind and cause apart: a cause only when given', () => {
    const cause = new Error('root');
    expect(new SyncbusError('A', 'a', { cause, kind: 'conflict' })).toMatchObject({
      cause,
      kind: 'conflict',
    });
    const plain = new SyncbusError('B', 'b');
    expect(plain.kind).toBeUndefined();
    expect('cause' in plain).toBe(false);
  });
});

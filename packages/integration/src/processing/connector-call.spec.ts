import { callForVerdict, callWithTimeLimit, ConnectorTimeoutError } from './connector-call';
import { readOutcome } from './integration-process-result';

describe('connector calls', () => {
  it('reads results, results with messages, and names nonsense', () => {
    expect(readOutcome('OK', 'm')).toEqual({ result: 'OK' });
    expect(readOutcome({ result: 'SkipNow', message: 'later' }, 'm')).toEqual({
      result: 'SkipNow',
      message: 'later',
    });
    expect(readOutcome('Maybe', 'x.process')).toEqual({
      result: 'Error',
      message: `x.process returned "Maybe", which is not a result; return 'OK', 'Error', 'ErrorAndSkip' or 'SkipNow'`,
    });
    expect(readOutcome(undefined, 'x.process').message).toMatch(/returned nothing/);
    expect(readOutcome({ result: 'Fine' }, 'm').result).toBe('Error');
  });

  it('a throw is an Error with its message; a synchronous throw too', async () => {
    await expect(callForVerdict(() => Promise.reject(new Error('boom')), 1000, 'c.m')).resolves.toEqual({
      result: 'Error',
      message: 'c.m threw: boom',
    });
    await expect(
      callForVerdict(
        () => {
          throw new Error('sync boom');
        },
        1000,
        'c.m',
      ),
    ).resolves.toMatchObject({ result: 'Error', message: 'c.m threw: sync boom' });
  });

  it('a call that never answers times out with a typed error naming the limit', async () => {
    const started = Date.now();
    const error = await callWithTimeLimit(() => new Promise(() => undefined), 50, 'c.hang').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectorTimeoutError);
    expect((error as Error).message).toMatch(/^c.hang timed out after 50 ms/);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(callForVerdict(() => new Promise(() => undefined), 30, 'c.hang')).resolves.toMatchObject({
      result: 'Error',
      message: expect.stringContaining('timed out after 30 ms'),
    });
  });
});

// Turns zod's issues into the path-and-message problems every syncbus validation error reports.
import type { ZodError } from 'zod';
import type { ConfigProblem } from '../errors';

/** Every issue of a zod error as `{ path: 'a.b.0', message }`, prefixed with `prefix` when given. */
export function zodProblems(error: ZodError, prefix?: string): ConfigProblem[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((p) => p !== undefined && p !== '').join('.'),
    message: issue.message,
  }));
}

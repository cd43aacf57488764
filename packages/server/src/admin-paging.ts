// Keyset paging for admin list routes: the cursor (the last row of a page, opaque to callers) and the checks of
// `limit` and `cursor` every list route makes the same way.
import { SyncbusError } from '@syncbus/core';
import { z } from 'zod';

const CursorSchema = z.strictObject({ t: z.number().int().min(0), s: z.number().int().min(0) });

/** A row position in logged order: its task, then its synchronization row. */
export interface RowPosition {
  readonly taskId: number;
  readonly synchronizationId: number;
}

/** The cursor that continues after `row`. */
export function encodeCursor(row: RowPosition): string {
  return Buffer.from(JSON.stringify({ t: row.taskId, s: row.synchronizationId })).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one this API handed out. */
export function decodeCursor(cursor: string): RowPosition | undefined {
  try {
    const parsed = CursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? { taskId: parsed.data.t, synchronizationId: parsed.data.s } : undefined;
  } catch {
    return undefined;
  }
}

/** Page size when the caller names none (or `maxPageSize` if smaller). */
export const DEFAULT_PAGE_SIZE = 50;

/** A checked page request: how many rows, after which. */
export interface PageRequest {
  readonly limit: number;
  readonly after?: RowPosition;
}

/**
 * A list route's page size: `limit`, or the default, at most `maxPageSize`; above it a refusal (400
 * `PAGE_TOO_LARGE`, thrown for the route's error handler) saying to page on with `pageOn`, the route's parameter.
 */
export function readPageLimit(
  limit: number | undefined,
  maxPageSize: number,
  pageOn: 'cursor' | 'before' = 'cursor',
): number {
  const chosen = limit ?? Math.min(DEFAULT_PAGE_SIZE, maxPageSize);
  if (chosen > maxPageSize) {
    throw new SyncbusError(
      'PAGE_TOO_LARGE',
      `limit is at most ${maxPageSize} (admin.maxPageSize); page on with ${pageOn}.`,
      { kind: 'invalid' },
    );
  }
  return chosen;
}

/**
 * Checks a list route's `limit` (at most `maxPageSize`) and `cursor` (one this API handed out); a refusal (400
 * `PAGE_TOO_LARGE` or `INVALID_CURSOR`) is thrown for the route's error handler.
 */
export function readPageRequest(
  query: { limit?: number; cursor?: string },
  maxPageSize: number,
): PageRequest {
  const limit = readPageLimit(query.limit, maxPageSize);
  if (query.cursor === undefined) return { limit };
  const after = decodeCursor(query.cursor);
  if (!after) {
    throw new SyncbusError(
      'INVALID_CURSOR',
      'cursor is not one this API handed out; pass nextCursor of the previous page as it came.',
      { kind: 'invalid' },
    );
  }
  return { limit, after };
}

/**
 * A page from rows read with `limit + 1` (one more than asked says whether another page follows, without
 * counting): the first `limit` rows and the cursor after the last, or null on the last page.
 */
export function toPage<T extends RowPosition>(rows: readonly T[], limit: number) {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]) : null };
}

/**
 * The body of every refusal (`errorBodyOf` in http-errors.ts writes it): `{ error: CODE, message: what to change }`,
 * with `problems` (each wrong field by path) when the request's fields were wrong.
 */
export const ErrorBody = z
  .object({
    error: z.string(),
    message: z.string(),
    problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Error' });

/** What an action answers: how many rows it changed, and in words. */
export const ActionResult = z
  .object({ affected: z.number().int(), message: z.string() })
  .meta({ id: 'ActionResult' });

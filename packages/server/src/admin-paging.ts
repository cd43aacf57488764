// Keyset paging for admin list routes: the cursor (the last row of a page, opaque to callers) and the checks of
// `limit` and `cursor` every list route makes the same way.
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

/** A checked page request, or the refusal to answer with 400. */
export type PageRequest =
  | { readonly ok: true; readonly limit: number; readonly after?: RowPosition }
  | { readonly ok: false; readonly error: 'PAGE_TOO_LARGE' | 'INVALID_CURSOR'; readonly message: string };

/** Checks a list route's `limit` (at most `maxPageSize`) and `cursor` (one this API handed out). */
export function readPageRequest(
  query: { limit?: number; cursor?: string },
  maxPageSize: number,
): PageRequest {
  const limit = query.limit ?? Math.min(DEFAULT_PAGE_SIZE, maxPageSize);
  if (limit > maxPageSize) {
    return {
      ok: false,
      error: 'PAGE_TOO_LARGE',
      message: `limit is at most ${maxPageSize} (admin.maxPageSize); page on with cursor.`,
    };
  }
  if (query.cursor === undefined) return { ok: true, limit };
  const after = decodeCursor(query.cursor);
  if (!after) {
    return {
      ok: false,
      error: 'INVALID_CURSOR',
      message: 'cursor is not one this API handed out; pass nextCursor of the previous page as it came.',
    };
  }
  return { ok: true, limit, after };
}

/**
 * A page from rows read with `limit + 1` (one more than asked says whether another page follows, without
 * counting): the first `limit` rows and the cursor after the last, or null on the last page.
 */
export function toPage<T extends RowPosition>(rows: readonly T[], limit: number) {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]) : null };
}

/** The body of every admin refusal: `{ error: CODE, message: what to change }`. */
export const ErrorBody = z.object({ error: z.string(), message: z.string() }).meta({ id: 'Error' });

/** What an action answers: how many rows it changed, and in words. */
export const ActionResult = z
  .object({ affected: z.number().int(), message: z.string() })
  .meta({ id: 'ActionResult' });

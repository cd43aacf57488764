// Keyset paging's cursor: the last row of a page, opaque to callers (base64url JSON), checked when it comes back.
import { z } from 'zod';

const CursorSchema = z.strictObject({ t: z.number().int().min(0), s: z.number().int().min(0) });

/** A row position in logged order. */
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

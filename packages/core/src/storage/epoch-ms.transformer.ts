// Epoch-millisecond columns are `bigint`, which PostgreSQL hands back as strings; entities read them as numbers.
import type { ValueTransformer } from 'typeorm';

/** Maps a `bigint` epoch-ms column to a JavaScript number (exact until the year 287396). */
export const epochMs: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};

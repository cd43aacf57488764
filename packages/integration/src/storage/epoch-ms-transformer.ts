// `bigint` epoch-ms columns come back as strings on PostgreSQL; this reads them as numbers on both engines.
import type { ValueTransformer } from 'typeorm';

/** Reads bigint epoch milliseconds as a JS number. */
export const epochMs: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => (value === null || value === undefined ? value : Number(value)),
};

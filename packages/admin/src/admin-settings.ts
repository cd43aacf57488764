// The `admin` config section: whether the node serves the admin API, and who may use it with which role.
import { SecretRef } from '@syncbus/core';
import { z } from 'zod';

/** `viewer` reads and follows events; `operator` also acts (synchronize, retry, delete, enable, ...). */
export const AdminRole = z.enum(['viewer', 'operator']);
export type AdminRole = z.infer<typeof AdminRole>;

/** The `admin` section of the config. */
export const AdminSettingsSchema = z
  .strictObject({
    /** Serve `/syncbus/admin/v1/...` (off by default: an operator turns it on, with tokens). */
    enabled: z.boolean().default(false),
    /** Bearer tokens, each a secret reference (`env:NAME`), named for the audit trail. */
    tokens: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, ".", "-" or "_"'),
          role: AdminRole,
          token: SecretRef,
        }),
      )
      .default([]),
    /** Largest page a list route returns. */
    maxPageSize: z.number().int().min(1).max(1000).default(200),
    /** Unsent bytes an event-stream client may have waiting before it is dropped as too slow. */
    eventBufferBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
  })
  .refine((s) => !s.enabled || s.tokens.length > 0, {
    path: ['tokens'],
    message:
      'admin.enabled needs at least one token: [{ "name", "role": "viewer" | "operator", "token": "env:..." }]',
  })
  .refine((s) => new Set(s.tokens.map((t) => t.name)).size === s.tokens.length, {
    path: ['tokens'],
    message: 'token names must be unique (the audit trail names who acted by them)',
  });

/** Parsed `admin` settings. */
export type AdminSettings = z.infer<typeof AdminSettingsSchema>;
/** Token of the parsed `admin` settings. */
export const AdminSettings = Symbol('AdminSettings');

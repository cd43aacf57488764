// The `http` config section: where this node's HTTP server (staging receiver, health, later admin) listens.
import { SecretRef } from '@syncbus/core';
import { z } from 'zod';

/** The `http` section of the config. */
export const HttpSettingsSchema = z
  .object({
    /** Serve HTTP when the node starts. */
    enabled: z.boolean().default(true),
    /** Interface to listen on; `0.0.0.0` to accept other machines (staging targets must). */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port; 0 picks a free one (tests). */
    port: z.number().int().min(0).max(65535).default(8080),
    /**
     * A secret reference (`env:NAME`); when set, `GET /metrics` answers only `Authorization: Bearer <token>`
     * (Prometheus: `authorization: { credentials_file: ... }`). Unset, it is open to whoever reaches `host`.
     */
    metricsToken: SecretRef.optional(),
    /** A request must arrive whole (headers and body) within this time, however slowly it trickles in; else 408. */
    requestTimeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
    /** The request headers must arrive within this time. */
    headersTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    /** A connection on which nothing moves for this long is closed. */
    idleTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
    /** An idle keep-alive connection is closed after this long. */
    keepAliveTimeoutMs: z.number().int().min(100).max(600_000).default(5_000),
    /** Open connections at most; further ones are closed at once. */
    maxConnections: z.number().int().min(1).max(100_000).default(512),
  })
  .strict();

/** Parsed `http` settings. */
export type HttpSettings = z.infer<typeof HttpSettingsSchema>;
/** Token of the parsed `http` settings. */
export const HttpSettings = Symbol('HttpSettings');

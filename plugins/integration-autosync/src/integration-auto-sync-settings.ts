// The `integrationAutoSync` config section: which connectors process their tasks as soon as they are logged.
import { z } from 'zod';

/** Schema of the `integrationAutoSync` section. */
export const IntegrationAutoSyncSettingsSchema = z
  .object({
    /** Switch automatic processing off without removing the plugin. */
    enabled: z.boolean().default(true),
    /** Connector names (as `@IntegrationConnector({ name })` says); absent: every enabled connector. */
    connectors: z.array(z.string().min(1)).min(1).optional(),
    /** Process outgoing tasks (`logInternalTask.after`) at once. */
    outgoing: z.boolean().default(true),
    /** Process incoming tasks (`logExternalTask.after`) at once. */
    incoming: z.boolean().default(true),
  })
  .strict();

/** Parsed `integrationAutoSync` section. */
export type IntegrationAutoSyncSettings = z.infer<typeof IntegrationAutoSyncSettingsSchema>;
/** Token of the parsed `integrationAutoSync` section. */
export const IntegrationAutoSyncSettings = Symbol('IntegrationAutoSyncSettings');

// The connector's config schema: what a host writes under `connectors[].config` for this connector.
import { z } from '@syncbus/integration/sdk';

/**
 * `{ "path": "out/tasks.ndjson", "objectTypes": ["cms.article"], "dataType": "simple" }`. The bus validates it
 * at start with this schema and reports every problem by path (`connectors.0.config.path: ...`).
 */
export const NdjsonConfigSchema = z
  .object({
    /** The file every outgoing task is appended to, one JSON line each; relative to the host's working folder. */
    path: z.string().min(1, 'name the file to append tasks to'),
    /** Object types to subscribe to; `*` (the default) is every synchronized type. */
    objectTypes: z.array(z.string().min(1)).min(1).default(['*']),
    /** `simple`: the object; `snapshot`: also the objects it references. */
    dataType: z.enum(['simple', 'snapshot']).default('simple'),
  })
  .strict();

/** The parsed config the connector reads through `this.config`. */
export type NdjsonConfig = z.infer<typeof NdjsonConfigSchema>;

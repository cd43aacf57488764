// The modules every node started by the CLI has, whatever plugins its config adds.
import { AdminModule } from '@syncbus/admin';
import type { Newable } from '@syncbus/core';
import { IntegrationModule } from '@syncbus/integration';
import { ServerModule } from '@syncbus/server';
import { StagingModule } from '@syncbus/staging';

/**
 * Content staging, the integration bus, the HTTP server (which serves only under `start`) and the admin API (which
 * serves only with `admin.enabled`).
 */
export function defaultModules(): Newable[] {
  return [StagingModule, IntegrationModule, ServerModule, AdminModule];
}

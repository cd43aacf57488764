// The modules every node started by the CLI has, whatever plugins its config adds.
import type { Newable } from '@syncbus/core';
import { IntegrationModule } from '@syncbus/integration';
import { ServerModule } from '@syncbus/server';
import { StagingModule } from '@syncbus/staging';

/** Content staging, the integration bus and the HTTP server (which serves only under `start`). */
export function defaultModules(): Newable[] {
  return [StagingModule, IntegrationModule, ServerModule];
}

// The modules every node started by the CLI has, whatever plugins its config adds.
import type { Newable } from '@syncbus/core';

/** Staging and integration (their packages are dependencies of the CLI). */
export function defaultModules(): Newable[] {
  return [];
}

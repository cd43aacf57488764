// Reads a staging server's shared secret from its reference at send time; the value is never stored or logged.
import { inject, injectable, Secret } from '@syncbus/core';
import { SecretUnavailableError } from './staging-errors';
import { ServersSettings } from './staging-settings';

/**
 * Resolves `env:NAME` references. Secrets of configured servers were read when the config was parsed (from the
 * kernel's environment); servers added through the API are read from `process.env` when a task is sent.
 */
@injectable()
export class ServerSecrets {
  private readonly configured = new Map<string, Secret>();

  constructor(@inject(ServersSettings) servers: ServersSettings) {
    for (const server of servers) this.configured.set(server.secret.source, server.secret);
  }

  /** The secret `reference` names, for the server called `server` (used in the error message). */
  resolve(server: string, reference: string): Secret {
    const known = this.configured.get(reference);
    if (known) return known;
    const value = /^env:/.test(reference) ? process.env[reference.slice(4)] : undefined;
    if (!value) throw new SecretUnavailableError(server, reference);
    return new Secret(value, reference);
  }
}

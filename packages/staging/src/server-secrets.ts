// Reads a staging server's shared secret from its reference at send time; the value is never stored or logged.
import { inject, injectable, MissingSecret, Secret, SecretResolver } from '@syncbus/core';
import { SecretUnavailableError } from './staging-errors';
import { ServersSettings } from './staging-settings';

/**
 * Resolves `env:NAME` references. Secrets of configured servers were read when the config was parsed; servers added
 * at run time (CLI, admin API) are read when a task is sent. Both from the kernel's environment (`Kernel.boot({ env })`,
 * default `process.env`).
 */
@injectable()
export class ServerSecrets {
  private readonly configured = new Map<string, Secret>();

  constructor(
    @inject(ServersSettings) servers: ServersSettings,
    @inject(SecretResolver) private readonly secrets: SecretResolver,
  ) {
    for (const server of servers) this.configured.set(server.secret.source, server.secret);
  }

  /** The secret `reference` names, for the server called `server` (used in the error message). */
  resolve(server: string, reference: string): Secret {
    const known = this.configured.get(reference);
    if (known instanceof MissingSecret) throw new SecretUnavailableError(server, reference);
    if (known) return known;
    const secret = this.secrets.resolve(reference);
    if (!secret) throw new SecretUnavailableError(server, reference);
    return secret;
  }
}

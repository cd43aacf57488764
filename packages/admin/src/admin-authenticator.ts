// Who is calling the admin API: the bearer token, compared in constant time against every configured token.
import { bearerToken, sameSecret } from '@syncbus/core/internal';
import { inject, injectable } from '@syncbus/core';
import type { AdminPrincipal, AdminRole } from '@syncbus/server';
import { AdminSettings } from './admin-settings';

/** Resolves an `Authorization` header to a principal. */
@injectable()
export class AdminAuthenticator {
  constructor(@inject(AdminSettings) private readonly settings: AdminSettings) {}

  /** The principal whose token the header carries, or undefined; every token is compared, so timing says nothing. */
  authenticate(authorization: string | undefined): AdminPrincipal | undefined {
    const presented = bearerToken(authorization);
    let found: AdminPrincipal | undefined;
    for (const entry of this.settings.tokens) {
      if (sameSecret(presented, entry.token.reveal()) && !found)
        found = { name: entry.name, role: entry.role };
    }
    return found;
  }
}

/** Whether `role` may do what `needed` allows. */
export function allows(role: AdminRole, needed: AdminRole): boolean {
  return needed === 'viewer' || role === 'operator';
}

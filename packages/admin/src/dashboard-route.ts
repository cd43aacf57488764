// Serves the dashboard (the single-page app built into @syncbus/dashboard's dist/) at /syncbus/admin/ when the
// admin API is enabled. The files are public: the page asks for a token and sends it to the API, which checks it.
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import { inject, injectable, SyncbusError } from '@syncbus/core';
import type { HttpRouteContribution } from '@syncbus/server';
import type { FastifyInstance } from 'fastify';
import { AdminSettings } from './admin-settings';

/** Where the dashboard is served. */
export const DASHBOARD_PATH = '/syncbus/admin/';

/** Only what the page itself needs: its own scripts and styles, and the API on the same origin. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The dashboard's built files, or undefined when @syncbus/dashboard is not installed (or not built). */
export function dashboardRoot(): string | undefined {
  try {
    const root = join(dirname(require.resolve('@syncbus/dashboard/package.json')), 'dist');
    return existsSync(join(root, 'index.html')) ? root : undefined;
  } catch {
    return undefined;
  }
}

/** `GET /syncbus/admin/` and its assets; 404 saying what to install when the package is missing. */
@injectable()
export class DashboardRoute implements HttpRouteContribution {
  readonly name = 'admin-dashboard';

  constructor(@inject(AdminSettings) private readonly settings: AdminSettings) {}

  async registerRoutes(app: FastifyInstance): Promise<void> {
    if (!this.settings.enabled) return;
    app.get(DASHBOARD_PATH.slice(0, -1), (_request, reply) => reply.redirect(DASHBOARD_PATH));
    const root = dashboardRoot();
    if (!root) {
      app.get(DASHBOARD_PATH, () => {
        throw new SyncbusError(
          'DASHBOARD_NOT_INSTALLED',
          'The dashboard is not installed on this node: add @syncbus/dashboard (npm install @syncbus/dashboard) ' +
            'next to @syncbus/admin, or use the API under /syncbus/admin/v1.',
          { kind: 'not-found' },
        );
      });
      return;
    }
    await app.register(fastifyStatic, {
      root,
      prefix: DASHBOARD_PATH,
      // One route per built file (no wildcard), so nothing else under /syncbus/admin/ is shadowed.
      wildcard: false,
      decorateReply: false,
      setHeaders: (response, path) => {
        response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
        response.setHeader('x-content-type-options', 'nosniff');
        response.setHeader('referrer-policy', 'no-referrer');
        // Asset names carry a content hash; the page itself must be fetched again to find new ones.
        response.setHeader(
          'cache-control',
          path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
        );
      },
    });
  }
}

// Each staging server's queue as a lag for the admin API's `GET /node`: what waits for it and since when.
import { inject, injectable } from '@syncbus/core';
import type { QueueLag, QueueLagSource } from '@syncbus/server';
import { ServerInfoProvider } from './server-info-provider';
import { SynchronizationInfoProvider } from './synchronization-info-provider';

/** The staging side of `QueueLagSource`: one entry per server, enabled or not. */
@injectable()
export class StagingQueueLag implements QueueLagSource {
  constructor(
    @inject(ServerInfoProvider) private readonly servers: ServerInfoProvider,
    @inject(SynchronizationInfoProvider) private readonly synchronizations: SynchronizationInfoProvider,
  ) {}

  async queueLag(): Promise<QueueLag[]> {
    const [servers, stats] = await Promise.all([this.servers.getServers(), this.synchronizations.stats()]);
    return servers.map((server) => ({
      kind: 'server',
      name: server.name,
      pending: stats.get(server.id)?.pending ?? 0,
      failed: stats.get(server.id)?.failed ?? 0,
      oldestPendingAt: stats.get(server.id)?.oldestPendingAt ?? null,
    }));
  }
}

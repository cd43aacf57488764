// Builds the StagingDelivery instances auto-sync sends through: its own batch size, and one per request in flight.
import { inject, injectable, Logger, Storage } from '@syncbus/core';
import {
  ServerInfoProvider,
  ServerSecrets,
  StagingDelivery,
  StagingQueue,
  StagingSettings,
  StagingTransport,
} from '@syncbus/staging';

/**
 * Creates deliveries ("lanes") over the node's staging queue and transport. Each lane is a `StagingDelivery` with
 * its own lease owner, so lanes of one server send concurrently while the queue's leases keep each object's tasks
 * in order; the node's shared delivery (seed-style `StagingTaskRunner` calls) stays as it is.
 */
@injectable()
export class StagingDeliveryLanes {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(StagingQueue) private readonly queue: StagingQueue,
    @inject(ServerInfoProvider) private readonly servers: ServerInfoProvider,
    @inject(ServerSecrets) private readonly secrets: ServerSecrets,
    @inject(StagingTransport) private readonly transport: StagingTransport,
    @inject(StagingSettings) private readonly settings: StagingSettings,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  /** `count` deliveries sending `batchSize` tasks per request (default: `staging.batchSize`). */
  create(count: number, batchSize = this.settings.batchSize): StagingDelivery[] {
    const settings: StagingSettings = { ...this.settings, batchSize };
    return Array.from(
      { length: count },
      () =>
        new StagingDelivery(
          this.storage,
          this.queue,
          this.servers,
          this.secrets,
          this.transport,
          settings,
          this.logger,
        ),
    );
  }
}

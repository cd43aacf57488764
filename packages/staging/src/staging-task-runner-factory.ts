// Creates StagingTaskRunners for code that gets its services injected rather than from the ambient node.
import { inject, injectable, type ServiceIdentifier, type ServiceResolver } from '@syncbus/core';
import { StagingDelivery } from './staging-delivery';
import { StagingTaskRunner } from './staging-task-runner';

/** Injectable source of `StagingTaskRunner`s bound to this node. */
@injectable()
export class StagingTaskRunnerFactory {
  private readonly node: ServiceResolver;

  constructor(@inject(StagingDelivery) delivery: StagingDelivery) {
    this.node = {
      get: <T>(id: ServiceIdentifier<T>): T => {
        if (id !== StagingDelivery) throw new Error(`StagingTaskRunnerFactory cannot resolve ${String(id)}`);
        return delivery as T;
      },
    };
  }

  /** A runner for the server with id `serverId`. */
  create(serverId: number): StagingTaskRunner {
    return new StagingTaskRunner(serverId, this.node);
  }
}

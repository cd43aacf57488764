// The template connector: appends each outgoing task to a file as one JSON line. Copy it to start your own.
import { constants } from 'node:fs';
import { access, appendFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  BaseIntegrationConnector,
  IntegrationConnector,
  type IntegrationTask,
  type ProcessingOutcome,
} from '@syncbus/integration/sdk';
import { NdjsonConfigSchema, type NdjsonConfig } from './ndjson-settings';

/** One line of the file: the task, with references translated to external ids. */
export interface NdjsonLine {
  readonly guid: string;
  readonly taskType: string;
  readonly objectType: string;
  readonly objectGuid: string;
  readonly title: string;
  readonly createdAt: string;
  readonly user?: string;
  readonly data: Record<string, unknown>;
  /** Data type `snapshot` only: the referenced objects as `type:identity`. */
  readonly related?: readonly string[];
}

/**
 * `@IntegrationConnector` only records metadata; the bus builds the class through the container when a host lists
 * `@syncbus/connector-ndjson` in `plugins` and an entry `{ "name": "ndjson", "config": {...} }` in `connectors`.
 */
@IntegrationConnector({
  name: 'ndjson',
  displayName: 'NDJSON file',
  version: '0.1.0',
  configSchema: NdjsonConfigSchema,
})
export class NdjsonConnector extends BaseIntegrationConnector<NdjsonConfig> {
  /** Subscriptions: which changes become tasks for this connector. `async` queues them (the drain calls us). */
  override init(config: NdjsonConfig | undefined): void {
    // With an invalid config `config` is undefined and the bus holds the tasks (showing the problem) until it is
    // fixed: subscribe to everything then, so no change is missed meanwhile.
    for (const objectType of config?.objectTypes ?? ['*']) {
      this.subscribeToObjects('async', objectType, '*', config?.dataType ?? 'simple');
    }
  }

  /** Runs before the first task and again (with backoff) after a failure; tasks wait meanwhile, with this message. */
  override async check(): Promise<void> {
    const folder = dirname(this.file);
    try {
      await access(folder, constants.W_OK);
    } catch (error) {
      throw new Error(
        `cannot write to ${folder} (${(error as NodeJS.ErrnoException).code}); create the folder or fix its permissions`,
      );
    }
  }

  /**
   * One queued task. OK removes it from the queue; Error keeps it (retried with backoff, later tasks of the same
   * object wait behind it). Never throw for an expected failure: answer Error with a message a person can act on.
   */
  override async processQueuedTask(task: IntegrationTask): Promise<ProcessingOutcome> {
    const line: NdjsonLine = {
      guid: task.guid,
      taskType: task.taskType,
      objectType: task.objectType,
      objectGuid: (await this.getExternalObjectId(task.objectType, task.objectGuid)) ?? task.objectGuid,
      title: task.title,
      createdAt: task.createdAt.toISOString(),
      user: task.user,
      // Translation: references leave as external ids (getExternalObjectId; the default keeps the identity).
      data: await this.externalData(task),
      related:
        task.dataType === 'snapshot' ? task.related.map((r) => `${r.objectType}:${r.objectGuid}`) : undefined,
    };
    try {
      // One write per line with O_APPEND: lines of concurrent writers never interleave within a line.
      await appendFile(this.file, `${JSON.stringify(line)}\n`, { flag: 'a' });
      return 'OK';
    } catch (error) {
      return {
        result: 'Error',
        message: `could not append to ${this.file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      };
    }
  }

  private get file(): string {
    return resolve(this.config.path);
  }
}

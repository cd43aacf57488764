// Public API of @syncbus/core: the kernel, modules, plugins, events, settings, storage and logging.
import 'reflect-metadata';

/** inversify's decorators, from the one copy the kernel's container reads (`injectFromHierarchy`: a subclass gets its
 * base classes' constructor and property injections). */
export { inject, injectable, injectFromHierarchy, multiInject, optional } from 'inversify';

export * from './errors';
export * from './kernel/module';
export type { OnInit, OnStart, OnStop } from './kernel/lifecycle-hooks';
export * from './kernel/provider';
export * from './kernel/register-module';
export * from './kernel/registrations';
export * from './kernel/plugin-loader';
export * from './kernel/module-graph';
export * from './kernel/kernel';
export * from './kernel/node-processes';
export { currentNode, runInNode } from './kernel/node-scope';
export * from './events/sync-event-factory';
export * from './registry/registration';
export * from './events/before-event';
export * from './events/after-event';
export * from './events/sync-event';
export * from './events/event-error-reporter';
export * from './logging/logger';
export * from './logging/log-throttle';
export * from './settings/secret';
export * from './settings/secret-resolver';
export * from './settings/core-settings';
export * from './settings/process-role';
export * from './settings/parse-settings';
export * from './settings/config-file';
export * from './storage/database-url';
export * from './storage/create-data-source';
export * from './storage/storage';
export * from './storage/write-gate';
export * from './storage/sqlite-checkpointer';
export * from './util/zod-problems';
export * from './util/hmac-signature';
export * from './util/escape-like';
export * from './util/bearer-token';
export * from './util/read-limited-text';
export * from './util/json-depth';
export * from './storage/sql-executor';
export * from './queue/backoff';
export * from './queue/lease-queue';
export * from './queue/synchronization-columns';
export * from './queue/drain-loop';
export * from './queue/queue-wakeups';
export * from './queue/lease-owner';
export * from './queue/queue-wakeup-trigger';
export * from './retention/ledger-retention';
export * from './retention/received-task-retention';
export * from './objects';
export * from './storage/epoch-ms.transformer';
export * from './queue/synchronization-row';

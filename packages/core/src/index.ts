// Public API of @syncbus/core, for hosts and plugin authors: the kernel, modules, plugins, events, settings,
// secrets, storage, logging, the host's objects and signed requests. Sibling packages reach internals through
// @syncbus/core/internal, which is not a promise to anyone else.
import 'reflect-metadata';

/** inversify's decorators, from the one copy the kernel's container reads (`injectFromHierarchy`: a subclass gets its
 * base classes' constructor and property injections). */
export { inject, injectable, injectFromHierarchy, multiInject, optional } from 'inversify';
export {
  SyncbusError,
  type ErrorKind,
  type ConfigProblem,
  formatProblems,
  ValidationError,
  ConfigError,
  PluginLoadError,
  EventCancelledError,
  ModuleGraphError,
} from './errors';
export { Module } from './kernel/module';
export type { OnInit, OnStart, OnStop } from './kernel/lifecycle-hooks';
export type { ServiceIdentifier, ServiceResolver, Provider } from './kernel/provider';
export {
  RegisterModule,
  type SettingsSection,
  type ModuleOptions,
  type ModuleClass,
} from './kernel/register-module';
export { Registrations } from './kernel/registrations';
export type { PluginManifest } from './kernel/plugin-loader';
export { type KernelOptions, KernelToken, Kernel } from './kernel/kernel';
export { SyncEventFactory } from './events/sync-event-factory';
export type { Newable } from './registry/registration';
export {
  type BeforeEventControl,
  type BeforeHandler,
  type Disposable,
  BeforeEvent,
} from './events/before-event';
export { type SubscriberErrorReporter, AfterEvent, AfterEventEmitter } from './events/after-event';
export { SyncEvent, SyncEventEmitter } from './events/sync-event';
export { EventErrorReporter } from './events/event-error-reporter';
export { createLogger, Logger, type LoggerOptions } from './logging/logger';
export { Secret, MissingSecret, type SecretMode, SecretRef } from './settings/secret';
export { SecretResolver } from './settings/secret-resolver';
export { CoreSettingsSchema, CoreSettings } from './settings/core-settings';
export { PROCESS_ROLES, type ProcessRole } from './settings/process-role';
export { type StorageKind, Storage } from './storage/storage';
export {
  signHmacRequest,
  verifyHmacSignature,
  checkHmacHeaders,
  timestampSkewSeconds,
  checkHmacRequest,
  HMAC_TIMESTAMP_HEADER,
  HMAC_SIGNATURE_HEADER,
  type HmacRequestCheck,
} from './util/hmac-signature';
export { retryDelayMs, RetryPolicySchema, type RetryPolicy, DEFAULT_RETRY_POLICY } from './queue/backoff';
export { SyncObject, type SyncObjectOptions } from './objects/sync-object';
export type {
  TaskType,
  ObjectReference,
  ObjectSnapshot,
  ChangeOrigin,
  ObjectChange,
} from './objects/object-change';
export { type ChangeContext, ObjectChangeListener } from './objects/object-change-listener';
export { runInChangeScope, currentChangeScope, type ChangeScope } from './objects/change-scope';
export { ObjectApplyError } from './objects/object-apply-error';
export { type ObjectTypeInfo, type ObjectRelation, ObjectTypes } from './objects/object-types';
export type { TaskTypeHandler } from './objects/object-applier';
export { type LogObjectChangeOptions, ObjectChanges } from './objects/object-changes';
export { ChangeCaptureError } from './objects/change-capture-error';
export { readLimitedText, ReplyTooLargeError } from './util/read-limited-text';
export { jsonDepthExceeds, MAX_JSON_DEPTH } from './util/json-depth';
export type { AlsoInTransaction } from './queue/lease-queue';
export { zodProblems } from './util/zod-problems';

// Public API of @syncbus/plugin-staging-autosync: the module a host loads by package name, its settings and engine.
import { StagingAutoSyncModule } from './staging-auto-sync-module';

/** The plugin's module: staging tasks synchronized to their servers as soon as they are logged. */
export { StagingAutoSyncModule };
/** The `stagingAutoSync` settings section: schema, parsed type and token. */
export {
  AutoSyncBackoffSchema,
  StagingAutoSyncSettings,
  StagingAutoSyncSettingsSchema,
} from './staging-auto-sync-settings';
/** One drain loop per server, kicked by logged tasks. */
export { StagingAutoSyncScheduler } from './staging-auto-sync-scheduler';
/** The deliveries auto-sync sends through (own batch size, one per request in flight). */

/** Plugins default-export their module. */
export default StagingAutoSyncModule;

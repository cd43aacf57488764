// Public API of @syncbus/plugin-integration-autosync: the module a host loads by package name, its settings, trigger.
import { IntegrationAutoSyncModule } from './integration-auto-sync-module';

/** The plugin's module: integration tasks processed by their connectors as soon as they are logged. */
export { IntegrationAutoSyncModule };
/** The `integrationAutoSync` settings section: schema, parsed type and token. */
export {
  IntegrationAutoSyncSettings,
  IntegrationAutoSyncSettingsSchema,
} from './integration-auto-sync-settings';
/** Wakes a covered connector's drain when a task is logged for it. */
export { IntegrationAutoSyncTrigger } from './integration-auto-sync-trigger';

/** Plugins default-export their module. */
export default IntegrationAutoSyncModule;

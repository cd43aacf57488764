// Drives the lifecycle hooks of a node's providers and modules in one order: init and start forwards, stop in
// reverse. The kernel decides the order; this file only runs it and says who failed.
import { SyncbusError } from '../errors';
import type { LifecycleHook } from './lifecycle-hooks';

/** Something with lifecycle hooks: a module, or a provider a module registered. */
export interface LifecycleParticipant {
  /** `module`: a `Module`; `provider`: a service whose hooks the kernel found. */
  readonly kind: 'module' | 'provider';
  /** The module's name, or the provider's token (its class name or symbol description). */
  readonly name: string;
  /** For a provider, the module that registered it. */
  readonly module?: string;
  readonly instance: Partial<Record<LifecycleHook, () => void | Promise<void>>>;
}

/**
 * Calls `onInit` then `onStart` on every participant in the order given, and `onStop` in reverse on every one
 * that is up: whose `onInit` resolved (or that has none). A participant whose `onStart` threw is up, so it is
 * stopped too; one whose `onInit` threw is not.
 */
export class Lifecycle {
  private readonly up: LifecycleParticipant[] = [];

  constructor(
    readonly participants: readonly LifecycleParticipant[],
    private readonly inNode: <T>(fn: () => T) => T,
  ) {}

  async init(): Promise<void> {
    for (const participant of this.participants) {
      await this.run(participant, 'onInit');
      this.up.push(participant);
    }
  }

  async start(): Promise<void> {
    for (const participant of this.up) await this.run(participant, 'onStart');
  }

  /** Runs `onStop` in reverse; a failing one is handed to `failed` and the others still run. Once only. */
  async stop(failed: (error: unknown, participant: LifecycleParticipant) => void): Promise<void> {
    for (const participant of this.up.splice(0).reverse()) {
      await this.run(participant, 'onStop').catch((error: unknown) => failed(error, participant));
    }
  }

  private async run(participant: LifecycleParticipant, hook: LifecycleHook): Promise<void> {
    const method = participant.instance[hook];
    if (typeof method !== 'function') return;
    try {
      await this.inNode(() => method.call(participant.instance));
    } catch (error) {
      if (error instanceof SyncbusError) throw error;
      const who =
        participant.kind === 'module'
          ? `Module '${participant.name}'`
          : `Provider '${participant.name}' of module '${participant.module}'`;
      throw new SyncbusError('MODULE_HOOK_FAILED', `${who} failed in ${hook}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

// The extension point through which staging and integration turn object changes into tasks.
import type { EntityManager } from 'typeorm';
import type { ChangeOrigin, ObjectChange, TaskType } from './object-change';

/** Context of a change: its transaction, and a way to act once it has committed. */
export interface ChangeContext {
  /** The manager of the change's transaction; write tasks with it so they commit or roll back with the change. */
  readonly manager: EntityManager;
  /** Runs `fn` after the transaction commits (never if it rolls back): the place to fire after-events. */
  afterCommit(fn: () => void): void;
}

/**
 * Bound (multi) under this token by modules that log tasks. Called inside the change's transaction, in module
 * order; a throw aborts the change (a cancelled before-event does exactly that).
 */
export const ObjectChangeListener = Symbol('ObjectChangeListener');
/** Turns object changes into tasks (bound, multi, under the token of the same name). */
export interface ObjectChangeListener {
  /**
   * Optional and cheap: false when the listener would ignore any change of this type, task type and origin.
   * When every listener says so, the change is not even serialized (applying received tasks is the hot case).
   */
  wantsChange?(objectType: string, taskType: TaskType, origin: ChangeOrigin | undefined): boolean;
  /** Handles one change inside its transaction; a throw aborts the change. */
  onObjectChange(change: ObjectChange, context: ChangeContext): Promise<void>;
}

// The words the conflict views use for a conflict's kind and outcome, so the list and the detail say the same.
import type { ConflictKind } from './api';

/** What happened to the object, in a few words. */
export const KIND_TEXT: Record<ConflictKind, string> = {
  changed: 'edited here',
  'created-on-both': 'created on both sides',
  'deleted-on-target': 'deleted here',
};

/** What became of a conflict, in a few words. */
const OUTCOME_TEXT: Record<string, string> = {
  held: 'held: waits for a person',
  overwritten: 'overwritten by its policy',
  'kept-target': 'target kept by its policy',
  merged: 'merged by its policy',
  'took-source': 'resolved: took the source',
  'took-target': 'resolved: kept the target',
  'took-merged': 'resolved: merged',
  superseded: 'superseded by a newer task',
};

/** The outcome in words (its code when this page does not know it). */
export function outcomeText(outcome: string): string {
  return OUTCOME_TEXT[outcome] ?? outcome;
}

/** The badge style of an outcome: amber while it waits, green once a person or handler chose. */
export function outcomeBadge(outcome: string): string {
  if (outcome === 'held') return 'badge-pending';
  return outcome.startsWith('took-') ? 'badge-ok' : '';
}

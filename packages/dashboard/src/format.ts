// How times, ages and JSON read on the page.

/** "12 s", "4 min", "3 h", "2 d". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** Local date and time, to the second. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** When a task is next tried: "now", "in 40 s", or the time. */
export function formatNextAttempt(epochMs: number, now = Date.now()): string {
  if (epochMs <= now) return 'now';
  return epochMs - now < 3_600_000 ? `in ${formatAge(epochMs - now)}` : formatTime(epochMs);
}

/** Compact JSON for a table cell. */
export function compactJson(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `<input type="datetime-local">` value to epoch ms (undefined when empty). */
export function fromLocalInput(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

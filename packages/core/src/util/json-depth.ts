// How deeply a parsed JSON value nests, found without recursion: a hostile body nested 100,000 levels would
// overflow the stack of any recursive walk (a validator's, JSON.stringify's) after it.

/** Deepest nesting a body from outside may have: far above any real object, far below a stack overflow. */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests arrays or objects deeper than `limit` levels (a scalar is depth 0). */
export function jsonDepthExceeds(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
    }
  }
  return false;
}

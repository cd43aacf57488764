// The messages between the benchmark and its child processes (one heavy role per process, measured apart).

/** What the parent sends. */
export type ToChild =
  | { readonly kind: 'init'; readonly role: string; readonly config: unknown }
  | { readonly kind: 'go'; readonly value?: unknown }
  | { readonly kind: 'stop' };

/** Resources a child used, from its own `process.resourceUsage()`. */
export interface ChildUsage {
  readonly maxRssBytes: number;
  readonly userCpuMs: number;
  readonly systemCpuMs: number;
}

/** What a child sends. */
export type FromChild =
  | { readonly kind: 'ready'; readonly value?: unknown }
  | { readonly kind: 'result'; readonly value: unknown; readonly usage: ChildUsage }
  | { readonly kind: 'error'; readonly message: string; readonly stack?: string };

// Secrets never sit in config files: a config names an environment variable, the value is read at start.
import { z } from 'zod';
import { SyncbusError } from '../errors';

/**
 * A secret value that prints as `[secret]` in logs, JSON and `util.inspect`; read it with `reveal()`.
 */
export class Secret {
  readonly #value: string;

  constructor(
    value: string,
    /** Where it came from, e.g. `env:SYNCBUS_SECRET_QA` (safe to show). */
    readonly source: string,
  ) {
    this.#value = value;
  }

  /** The value itself: read it where it is used, never to log or store it. */
  reveal(): string {
    return this.#value;
  }

  /** `[secret]`, so a secret serialised with its config never leaks. */
  toJSON(): string {
    return '[secret]';
  }

  /** `[secret]`, so a secret in a template string or log line never leaks. */
  toString(): string {
    return '[secret]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${this.source})`;
  }
}

/**
 * A secret whose variable was unset when an administrative command parsed the config (`secrets: 'when-used'`):
 * the command runs, and only what reads this secret fails, naming the variable.
 */
export class MissingSecret extends Secret {
  constructor(source: string) {
    super('', source);
  }

  /** Throws `SECRET_UNAVAILABLE`, naming the variable to set: the secret is needed here and was not given. */
  override reveal(): string {
    throw new SyncbusError(
      'SECRET_UNAVAILABLE',
      `environment variable ${this.source.slice(4)} is not set, and this needs it; export it and run again`,
    );
  }
}

/** `required`: an unset variable is a config problem (a node that starts); `when-used`: a `MissingSecret`. */
export type SecretMode = 'required' | 'when-used';

let secretEnvironment: NodeJS.ProcessEnv | undefined;
let secretMode: SecretMode = 'required';

/**
 * Runs `fn`, a synchronous parse, with secret references read from `env` instead of `process.env` (the kernel
 * passes its `env` option this way, so a node booted with its own environment reads its secrets there), and an
 * unset one handled as `mode` says.
 */
export function withSecretEnvironment<T>(
  env: NodeJS.ProcessEnv,
  fn: () => T,
  mode: SecretMode = 'required',
): T {
  const previous = { env: secretEnvironment, mode: secretMode };
  secretEnvironment = env;
  secretMode = mode;
  try {
    return fn();
  } finally {
    secretEnvironment = previous.env;
    secretMode = previous.mode;
  }
}

/**
 * A secret reference not read yet: the form of a `SecretRef`, `"env:NAME"` or `{ "env": "NAME" }`, normalised to
 * `"env:NAME"` without reading the variable: for references stored now and resolved later (a staging server added
 * through the API). Was `SecretReference`.
 */
export const UnresolvedSecretRef = z
  .union([
    z
      .string()
      .regex(
        /^env:[A-Za-z_][A-Za-z0-9_]*$/,
        'must be a reference like "env:MY_SECRET" (never the secret itself)',
      ),
    z
      .object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') })
      .strict(),
  ])
  .transform((ref) => (typeof ref === 'string' ? ref : `env:${ref.env}`));

/**
 * A secret reference in config: `{ "env": "NAME" }` or the string `"env:NAME"`. Parsing reads the variable and
 * fails (naming the variable) when it is unset or empty. Plain values are refused so secrets stay out of files.
 */
export const SecretRef = UnresolvedSecretRef.transform((ref, ctx) => {
  const name = ref.slice(4);
  const value = (secretEnvironment ?? process.env)[name];
  if (!value && secretMode === 'when-used') return new MissingSecret(ref);
  if (!value) {
    ctx.addIssue({
      code: 'custom',
      message: `environment variable ${name} is not set; export it before starting`,
    });
    return z.NEVER;
  }
  return new Secret(value, ref);
});

// The one way a node reads secret references after start: from the environment it was booted with
// (`Kernel.boot({ env })`, default `process.env`), so a test or an embedding host can hand secrets in.
import { Secret, withSecretEnvironment } from './secret';

/** Bound by the kernel; staging (servers added at run time) and the integration bus (connector configs) use it. */
export class SecretResolver {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The secret an `env:NAME` reference names, or undefined when the variable is unset or empty here. */
  resolve(reference: string): Secret | undefined {
    const value = /^env:/.test(reference) ? this.env[reference.slice(4)] : undefined;
    return value ? new Secret(value, reference) : undefined;
  }

  /** Runs a synchronous parse (a schema with `SecretRef` fields, such as a plugin's config) against this environment. */
  parse<T>(fn: () => T): T {
    return withSecretEnvironment(this.env, fn);
  }
}

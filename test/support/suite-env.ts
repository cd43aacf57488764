// Environment variables a suite sets for itself, put back as they were when it ends: suites leave no trace.

/**
 * Sets `vars` in `process.env` now and restores each one (or deletes it, if it was unset) in `afterAll` of the
 * enclosing `describe`, or of the file when called at its top level.
 */
export function setSuiteEnv(vars: Readonly<Record<string, string>>): void {
  const before = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  afterAll(() => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}

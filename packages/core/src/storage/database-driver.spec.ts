// The driver loader's errors, with `require` replaced by a stand-in that fails as Node fails. The real case (a
// scratch project installed without `pg`) is test/packaging/pack-install.test.ts.
import { SyncbusError } from '../errors';
import { loadDatabaseDriver } from './database-driver';

/** Throws what Node's `require` throws for a package that is not installed. */
function notInstalled(id: string): never {
  throw Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- /app/index.js`), {
    code: 'MODULE_NOT_FOUND',
  });
}

describe('loadDatabaseDriver', () => {
  it('gives the engine its driver package', () => {
    const asked: string[] = [];
    const load = (id: string) => (asked.push(id), { id });
    expect(loadDatabaseDriver('sqlite', load)).toEqual({ id: 'better-sqlite3' });
    expect(loadDatabaseDriver('postgres', load)).toEqual({ id: 'pg' });
    expect(asked).toEqual(['better-sqlite3', 'pg']);
  });

  it('says what to install when the driver is missing', () => {
    const attempt = () => loadDatabaseDriver('postgres', notInstalled);
    expect(attempt).toThrow(SyncbusError);
    expect(attempt).toThrow(
      /PostgreSQL database, but its driver 'pg' is not installed; install pg: npm install pg$/,
    );
    expect(() => loadDatabaseDriver('sqlite', notInstalled)).toThrow(/npm install better-sqlite3$/);
    try {
      attempt();
    } catch (error) {
      expect((error as SyncbusError).code).toBe('DATABASE_DRIVER_MISSING');
    }
  });

  it('says to rebuild a driver that is installed but does not load', () => {
    const missingBinding = () => notInstalled('bindings');
    expect(() => loadDatabaseDriver('sqlite', missingBinding)).toThrow(
      /driver 'better-sqlite3' does not load \(Cannot find module 'bindings'[^]*\); reinstall or rebuild it: npm rebuild better-sqlite3$/,
    );
    const wrongAbi = () => {
      throw new Error('was compiled against a different Node.js version using NODE_MODULE_VERSION 115');
    };
    expect(() => loadDatabaseDriver('sqlite', wrongAbi)).toThrow(/NODE_MODULE_VERSION 115\); reinstall/);
  });
});

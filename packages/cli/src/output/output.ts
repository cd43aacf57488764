// Where a command's results go: an aligned table for people, JSON for scripts (`--json`).
import type { Writable } from 'node:stream';
import { renderTable, type Column } from './table';

/** Prints results and messages for one command run. */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: Writable,
    private readonly stderr: Writable,
  ) {}

  /** Rows: a table, or a JSON array. */
  table<T>(rows: readonly T[], columns: readonly Column<T>[]): void {
    this.write(this.json ? JSON.stringify(rows, null, 2) : renderTable(rows, columns));
  }

  /** One record: `key: value` lines, or a JSON object. */
  record(value: Record<string, unknown>): void {
    if (this.json) return this.write(JSON.stringify(value, null, 2));
    const width = Math.max(...Object.keys(value).map((k) => k.length));
    this.write(
      Object.entries(value)
        .map(
          ([k, v]) =>
            `${k.padEnd(width)}  ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v ?? '-')}`,
        )
        .join('\n'),
    );
  }

  /** A human message (stdout in table mode; stderr in JSON mode so stdout stays parseable). */
  message(text: string): void {
    (this.json ? this.stderr : this.stdout).write(`${text}\n`);
  }

  /** A result for scripts and people alike. */
  result(value: Record<string, unknown>, text: string): void {
    if (this.json) this.write(JSON.stringify(value, null, 2));
    else this.write(text);
  }

  private write(text: string): void {
    this.stdout.write(`${text}\n`);
  }
}

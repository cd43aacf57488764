// Parses a whole-number option within bounds; a bad value is a usage error (exit 2) naming the option.
import { CliError, ExitCode } from '../cli-error';

/** A commander option parser for whole numbers from 1 to `max`. */
export function wholeNumber(name: string, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new CliError(`${name} must be a whole number from 1 to ${max}, not '${value}'.`, ExitCode.usage);
    }
    return n;
  };
}

// What one run measured: figures (medians of rounds), ratios between contenders of the same run, goals, skips.
import { cpus, loadavg, totalmem } from 'node:os';
import { median } from './stats';

/** One measured figure; `value` is the median of `rounds`. */
export interface Figure {
  readonly key: string;
  readonly workload: string;
  readonly label: string;
  readonly unit: string;
  readonly rounds: readonly number[];
  readonly value: number;
  readonly note?: string;
}

/** A ratio of two figures measured in the same run (medians divided). */
export interface Ratio {
  readonly workload: string;
  readonly label: string;
  readonly numerator: string;
  readonly denominator: string;
  readonly value: number;
}

/** A goal of the issue and whether this run met it (null: not measured in this run). */
export interface GoalResult {
  readonly goal: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | null;
}

/** A workload (or contender) that did not run, and why. */
export interface Skipped {
  readonly workload: string;
  readonly reason: string;
}

/** The machine a run happened on, so figures are never read without it. */
export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run started (others' work on a shared machine skews absolute figures). */
  readonly loadAverage: number;
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
  };
}

/** Collects a run's results; renders them as JSON and as markdown. */
export class BenchReport {
  readonly startedAt = new Date();
  readonly figures: Figure[] = [];
  readonly ratios: Ratio[] = [];
  readonly goals: GoalResult[] = [];
  readonly skipped: Skipped[] = [];

  constructor(
    readonly mode: 'quick' | 'full',
    readonly sizes: object,
    readonly machine: MachineInfo = machineInfo(),
  ) {}

  /** Records a figure from its round values and returns the median. */
  figure(
    key: string,
    workload: string,
    label: string,
    unit: string,
    rounds: readonly number[],
    note?: string,
  ) {
    const value = median(rounds.filter((v) => Number.isFinite(v)));
    this.figures.push({ key, workload, label, unit, rounds: [...rounds], value, note });
    return value;
  }

  /** The median of a recorded figure (NaN when absent). */
  value(key: string): number {
    return this.figures.find((f) => f.key === key)?.value ?? Number.NaN;
  }

  /** Records `numerator / denominator` of two recorded figures and returns it. */
  ratio(workload: string, label: string, numerator: string, denominator: string): number {
    const value = this.value(numerator) / this.value(denominator);
    this.ratios.push({ workload, label, numerator, denominator, value });
    return value;
  }

  /** Records a goal's outcome. */
  goal(goal: string, target: string, measured: string, met: boolean | null): void {
    this.goals.push({ goal, target, measured, met });
  }

  /** Records that something did not run, with the reason (never silently). */
  skip(workload: string, reason: string): void {
    this.skipped.push({ workload, reason });
  }

  toJSON() {
    return {
      date: this.startedAt.toISOString(),
      loadAverageAtEnd: Math.round(loadavg()[0] * 100) / 100,
      mode: this.mode,
      machine: this.machine,
      sizes: this.sizes,
      figures: this.figures,
      ratios: this.ratios,
      goals: this.goals,
      skipped: this.skipped,
    };
  }
}

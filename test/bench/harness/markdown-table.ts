// Renders a run's report as the markdown the terminal shows and docs/benchmark.md keeps.
import { loadavg } from 'node:os';
import type { BenchReport } from './bench-report';

/** Formats a figure for people: thousands separators for rates, two decimals for small values. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

/** The whole report as markdown: machine, figures, ratios, goals, skips. */
export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const parts = [
    `**${report.startedAt.toISOString().slice(0, 10)}**, ${report.mode} run: ${m.cores} cores (${m.cpuModel}), ` +
      `${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; load average ${m.loadAverage} at the start, ` +
      `${formatNumber(loadavg()[0])} at the end. Each figure is the median of its rounds.`,
    '',
    table(
      ['workload', 'figure', 'median', 'unit', 'rounds', 'note'],
      report.figures.map((f) => [
        f.workload,
        f.label,
        formatNumber(f.value),
        f.unit,
        f.rounds.map(formatNumber).join(' / '),
        f.note ?? '',
      ]),
    ),
  ];
  if (report.ratios.length > 0) {
    parts.push(
      '',
      table(
        ['workload', 'ratio (same run)', 'value'],
        report.ratios.map((r) => [r.workload, r.label, `${formatNumber(r.value)}x`]),
      ),
    );
  }
  if (report.goals.length > 0) {
    parts.push(
      '',
      table(
        ['goal', 'target', 'measured', 'met'],
        report.goals.map((g) => [
          g.goal,
          g.target,
          g.measured,
          g.met === null ? 'not measured' : g.met ? 'yes' : 'NO',
        ]),
      ),
    );
  }
  if (report.skipped.length > 0) {
    parts.push('', 'Not measured in this run:', ...report.skipped.map((s) => `- ${s.workload}: ${s.reason}`));
  }
  return parts.join('\n');
}

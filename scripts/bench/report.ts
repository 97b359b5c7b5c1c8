import { cpus } from 'node:os';

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** One line of the table. Values are medians of `runs`; `pass` is null where no target applies. */
export interface Row {
  id: string;
  figure: string;
  unit: 'ms' | 'KB' | 'MB' | '%' | 'x' | 'count';
  value: number | null;
  runs: number[];
  baseline?: { label: string; value: number; runs?: number[] } | null;
  ratio?: number | null;
  /** How the ratio reads: a factor (default) or a percentage of the baseline. */
  ratioUnit?: 'x' | '%';
  target: string;
  pass: boolean | null;
  note?: string;
  /** Anything else worth keeping in the JSON (breakdowns, raw samples). */
  detail?: Record<string, unknown>;
}

export interface Machine {
  cpu: string;
  cores: number;
  chromium: string;
  node: string;
  date: string;
}

export function machineInfo(chromium: string): Machine {
  const c = cpus();
  return { cpu: c[0]?.model.trim() ?? 'unknown', cores: c.length, chromium, node: process.version, date: new Date().toISOString() };
}

function fmt(v: number | null | undefined, unit: Row['unit']): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (unit === 'ms') return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ms`;
  if (unit === 'KB') return `${v.toFixed(1)} KB`;
  if (unit === 'MB') return `${v.toFixed(2)} MB`;
  if (unit === '%') return `${v.toFixed(1)} %`;
  if (unit === 'x') return `${v.toFixed(2)}×`;
  return String(Math.round(v));
}

const verdict = (r: Row) => (r.pass === null ? '—' : r.pass ? 'pass' : '**MISS**');

/** The table as Markdown (printed, and pasted into README's benchmark section). */
export function markdownTable(rows: Row[], machine: Machine): string {
  const lines = [
    '| # | Figure | Value (median) | Baseline (same run) | Ratio | Target | Result | n |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const base = r.baseline ? `${fmt(r.baseline.value, r.unit)} (${r.baseline.label})` : '—';
    const ratio = r.ratio === null || r.ratio === undefined ? '—' : r.ratioUnit === '%' ? `${(r.ratio * 100).toFixed(1)} %` : `${r.ratio.toFixed(2)}×`;
    lines.push(`| ${r.id} | ${r.figure} | ${fmt(r.value, r.unit)} | ${base} | ${ratio} | ${r.target} | ${verdict(r)} | ${r.runs.length} |`);
  }
  lines.push('');
  lines.push(`Machine: ${machine.cpu}, ${machine.cores} cores; Chromium ${machine.chromium}; Node ${machine.node}; ${machine.date.slice(0, 16).replace('T', ' ')} UTC.`);
  const notes = rows.filter((r) => r.note);
  if (notes.length) {
    lines.push('');
    lines.push('Notes:');
    for (const r of notes) lines.push(`- ${r.id}: ${r.note}`);
  }
  return lines.join('\n');
}

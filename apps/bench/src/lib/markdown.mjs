// What both reports (RESULTS.md, RESULTS-db.md) render with: verdict marks, number formats,
// Markdown tables, the targets table and its one-line summary.

export const OK = '✅';
export const KO = '❌';
export const NA = '—';

export const int = (n) => (n === null || n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
export const x = (r) => (r === null || r === undefined || !Number.isFinite(r) ? 'n/a' : `${r.toFixed(2)}×`);

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A Markdown table; `align[i] === 'r'` right-aligns column i. */
export function table(header, rows, align) {
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---')).join('|')}|`,
  ];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/**
 * The targets table: one row per verdict `{ what, [key], ours, peer, oursValue, peerValue, ratio |
 * note, spread, target, pass }`, under `header` (10 columns).
 */
export function verdictTable(verdicts, header, key) {
  return table(
    header,
    verdicts.map((r) => [
      r.what,
      r[key],
      r.ours ?? '',
      r.peer ?? '',
      r.oursValue ?? '',
      r.peerValue ?? '',
      r.ratio ?? r.note ?? '',
      r.spread ?? '',
      r.target,
      r.pass === true ? OK : r.pass === false ? KO : NA,
    ]),
    [null, null, null, null, 'r', 'r', 'r', 'r', null, null],
  );
}

/** "3 ✅, 2 ❌, 4 without a verdict." */
export function verdictSummary(verdicts) {
  const passed = verdicts.filter((r) => r.pass === true).length;
  const failed = verdicts.filter((r) => r.pass === false).length;
  return `${passed} ${OK}, ${failed} ${KO}, ${verdicts.length - passed - failed} without a verdict.`;
}

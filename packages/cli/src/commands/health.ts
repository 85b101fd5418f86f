import type { HealthReport } from '@framework/core';
import { booleanFlag, type Command, stringFlag } from '../command.ts';
import { UsageError } from '../internal/failure.ts';
import { formatTable } from '../internal/table.ts';
import { withApp } from '../load-app.ts';
import { requireProject } from '../project.ts';

const UNIT_MS: { readonly [unit: string]: number } = { ms: 1, s: 1000, m: 60_000 };

/** `--timeout` in milliseconds: a bare number is milliseconds; `500ms`, `5s`, `1m` carry their unit. */
function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (match === null) throw new UsageError(`--timeout takes a duration such as 500ms or 5s, not "${value}".`);
  return Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1);
}

/** `framework health`: runs the app's health checks once. */
export const health: Command = {
  name: 'health',
  summary: "Run the app's health checks (database, redis, ...) and exit 1 if any is down",
  usage: 'health [--timeout 2s] [--json]',
  details: [
    'Loads the app (no server), runs app.health() and prints each check with its time; exit 0 when all are up.',
  ],
  flags: {
    timeout: { type: 'string', value: 'DURATION', description: 'Time each check gets, e.g. 500ms or 5s (default 2s)' },
    json: { type: 'boolean', description: 'Print the report as JSON' },
  },
  positionals: { min: 0, max: 0 },
  async run(context) {
    const { io } = context;
    const timeout = parseTimeout(stringFlag(context, 'timeout'));
    const project = await requireProject(context.cwd);
    const report: HealthReport = await withApp(project, context.io, (app) => app.health(timeout));
    if (booleanFlag(context, 'json')) {
      io.out(JSON.stringify(report, null, 2));
    } else {
      const checks = Object.entries(report.checks);
      if (checks.length > 0) {
        const rows = checks.map(([name, check]) => [name, check.status, `${check.ms} ms`, check.error ?? '']);
        for (const line of formatTable([['CHECK', 'STATUS', 'TIME', 'ERROR'], ...rows])) io.out(line);
      } else {
        io.out('The app registers no health checks.');
      }
      io.out(`Health: ${report.status}`);
    }
    return report.status === 'up' ? 0 : 1;
  },
};

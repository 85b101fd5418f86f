import type { PluginCommand } from '@framework/core';
import type { Command } from './command.ts';
import { formatTable } from './internal/table.ts';

/** Internal: the one-line usage printed after a usage error. */
export const USAGE = 'Usage: framework <command> [options]   (framework --help lists the commands)';

/** Internal: `framework --help`: every built-in command, then the app's plugin commands. */
export function generalHelp(
  builtIn: readonly Command[],
  plugins: ReadonlyMap<string, PluginCommand> | undefined,
  pluginNote: string | undefined,
): string[] {
  const lines = ['Usage: framework <command> [options]', '', 'Commands:'];
  lines.push(...formatTable(builtIn.map((command) => [`  ${command.name}`, command.summary])));
  if (plugins !== undefined && plugins.size > 0) {
    lines.push('', "Commands from the app's plugins:");
    const sorted = [...plugins].sort(([a], [b]) => a.localeCompare(b));
    lines.push(...formatTable(sorted.map(([name, command]) => [`  ${name}`, command.description])));
  }
  if (pluginNote !== undefined) lines.push('', pluginNote);
  lines.push('', "framework <command> --help shows a command's options.");
  return lines;
}

/** Internal: `framework <command> --help` for a built-in command. */
export function commandHelp(command: Command): string[] {
  const lines = [`Usage: framework ${command.usage}`, '', command.summary];
  const flags = Object.entries(command.flags);
  if (flags.length > 0) {
    lines.push('', 'Options:');
    const rows = flags.map(([name, flag]) => [
      `  ${flag.short === undefined ? '    ' : `-${flag.short}, `}--${name}${flag.value === undefined ? '' : ` ${flag.value}`}`,
      flag.description,
    ]);
    rows.push(['  -h, --help', 'Show this help']);
    lines.push(...formatTable(rows));
  }
  if (command.details !== undefined) lines.push('', ...command.details);
  return lines;
}

/** Internal: `framework <command> --help` for a plugin's command. */
export function pluginCommandHelp(name: string, command: PluginCommand): string[] {
  return [
    `Usage: framework ${command.usage}`,
    '',
    command.description,
    '',
    `${name} is a command of one of the app's plugins.`,
  ];
}

/** Internal: the closest known name to a mistyped one, when it is close enough to suggest. */
export function closest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

// How much of the benchmark cores other processes used during a block, from /proc/stat, for the
// cache and queue benchmarks. Like lib/cpu.mjs's cpuWindow, but counting only the time charged to
// tasks (user, nice, system): the loopback traffic between the contenders and Redis is processed
// in softirq context, which the kernel charges to no process (about a quarter of a core here
// during the cache benchmark's Redis part), and would otherwise show as "others".
import { readFileSync } from 'node:fs';
import { selfTicks } from './cpu.mjs';

function taskTicks(cores) {
  let text;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  let busy = 0;
  let total = 0;
  for (const core of cores) {
    const match = new RegExp(`^cpu${core} (.*)$`, 'm').exec(text);
    if (!match) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = match[1].trim().split(/\s+/).map(Number);
    busy += user + nice + system;
    total += user + nice + system + idle + iowait + irq + softirq + steal;
  }
  return { busy, total };
}

/**
 * Starts a window on `cores`; `end(knownTicks)` returns `{ foreignPct }`: the task time on those
 * cores that neither the known processes nor the harness used, as a percentage of one core.
 */
export function taskWindow(cores) {
  const start = taskTicks(cores);
  const self = selfTicks();
  return {
    end(knownTicks = 0) {
      const stop = taskTicks(cores);
      if (!start || !stop) return null;
      const total = stop.total - start.total;
      if (total <= 0) return null;
      const foreign = Math.max(0, stop.busy - start.busy - knownTicks - (selfTicks() - self));
      return { foreignPct: (foreign / (total / cores.length)) * 100 };
    },
  };
}

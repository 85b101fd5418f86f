// CPU accounting from /proc, to tell how much of the machine something else used during a
// measurement (other users' test runs, say): busy time on the benchmark cores minus what the
// server, wrk and the harness themselves used. In clock ticks (USER_HZ, 100 per second on Linux).
import { readFileSync } from 'node:fs';

export const TICKS_PER_SECOND = 100;

/** Busy, total and steal ticks summed over `cores` (from /proc/stat), or null off Linux. */
export function coreTicks(cores) {
  let text;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  let busy = 0;
  let total = 0;
  let steal = 0;
  for (const core of cores) {
    const match = new RegExp(`^cpu${core} (.*)$`, 'm').exec(text);
    if (!match) continue;
    const [user, nice, system, idle, iowait, irq, softirq, st] = match[1].trim().split(/\s+/).map(Number);
    busy += user + nice + system + irq + softirq;
    total += user + nice + system + idle + iowait + irq + softirq + st;
    steal += st;
  }
  return { busy, total, steal };
}

/** utime + stime of a live process, in ticks; null when it is gone. */
export function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
  } catch {
    return null;
  }
}

/** The harness's own CPU time, in ticks. */
export function selfTicks() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / (1_000_000 / TICKS_PER_SECOND);
}

/**
 * Starts a window; `end(knownTicks)` returns what other processes used on `cores` during it, as a
 * percentage of one core, and the steal time, given the ticks of the processes we know about.
 */
export function cpuWindow(cores) {
  const start = coreTicks(cores);
  const self = selfTicks();
  return {
    end(knownTicks = 0) {
      const stop = coreTicks(cores);
      if (!start || !stop) return null;
      const total = stop.total - start.total;
      if (total <= 0) return null;
      const perCore = total / cores.length;
      const foreign = Math.max(0, stop.busy - start.busy - knownTicks - (selfTicks() - self));
      return {
        foreignPct: (foreign / perCore) * 100,
        stealPct: ((stop.steal - start.steal) / perCore) * 100,
      };
    },
  };
}

// wrk: presence check (installing it with apt-get when we are root), runs, output parsing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnTracked, stopChild, tail, waitExit } from './proc.mjs';

export const LUA_DIR = fileURLToPath(new URL('../lua/', import.meta.url));

/** An error about the environment, reported as a sentence without a stack trace. */
export function expected(message) {
  return Object.assign(new Error(message), { expected: true });
}

function which(command) {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** Returns wrk's path and version, installing it when missing and possible; throws otherwise. */
export function ensureWrk(log = console.log) {
  let path = which('wrk');
  if (!path) {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    if (root && which('apt-get')) {
      log('wrk is missing; installing it: apt-get install -y wrk');
      let install = spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit', timeout: 300_000 });
      if (install.status !== 0) {
        spawnSync('apt-get', ['update'], { stdio: 'inherit', timeout: 300_000 });
        install = spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit', timeout: 300_000 });
      }
      path = which('wrk');
    }
    if (!path) {
      throw expected(
        'wrk is not installed. Install it (Debian/Ubuntu: `sudo apt-get install wrk`; macOS: `brew install wrk`) ' +
          'and run the benchmark again.',
      );
    }
  }
  const out = spawnSync(path, ['-v'], { encoding: 'utf8' });
  const version = /wrk\s+(\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? 'unknown';
  return { path, version };
}

export function hasTaskset() {
  return which('taskset') !== null;
}

const TIME_UNITS = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function toMs(text) {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  return match ? Number(match[1]) * TIME_UNITS[match[2]] : null;
}

/** Parses wrk's report (with --latency). */
export function parseWrk(text) {
  const number = (re) => {
    const match = re.exec(text);
    return match ? Number(match[1]) : null;
  };
  const percentile = (p) => {
    const match = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(text);
    return match ? toMs(match[1]) : null;
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const requests = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(text);
  return {
    rps: number(/^Requests\/sec:\s+([\d.]+)/m),
    requests: requests ? Number(requests[1]) : null,
    seconds: requests ? toMs(`${requests[2]}${requests[3]}`) / 1000 : null,
    latencyMs: {
      avg: (() => {
        const match = /^\s+Latency\s+(\S+)/m.exec(text);
        return match ? toMs(match[1]) : null;
      })(),
      p50: percentile(50),
      p75: percentile(75),
      p90: percentile(90),
      p99: percentile(99),
    },
    non2xx: number(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0,
    socketErrors: errors
      ? { connect: +errors[1], read: +errors[2], write: +errors[3], timeout: +errors[4] }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
  };
}

/**
 * Runs wrk against `url` for `seconds`, pinned to `cpu` when `pin`; resolves to the parsed report.
 * `headers` are sent with every request (`-H`). `during` is called every `sampleMs` while wrk runs
 * (RSS sampling). Bounded: killed after
 * seconds + 15 s.
 */
export async function runWrk({
  url,
  seconds,
  connections = 50,
  threads = 1,
  script,
  scriptArgs = [],
  headers = {},
  pin,
  cpu = 1,
  during,
  sampleMs = 250,
}) {
  const wrkArgs = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency'];
  for (const [name, value] of Object.entries(headers)) wrkArgs.push('-H', `${name}: ${value}`);
  if (script) wrkArgs.push('-s', `${LUA_DIR}${script}`);
  wrkArgs.push(url);
  if (scriptArgs.length > 0) wrkArgs.push('--', ...scriptArgs.map(String));
  // Through sh, which reports its children's CPU time (cutime + cstime in /proc/<sh>/stat) once wrk
  // has exited: what wrk itself used, for the interference accounting.
  const wrapper = 'wrk "$@"; rc=$?; echo "WRK_CPU $(cat /proc/$$/stat)" >&2; exit $rc';
  const shArgs = ['-c', wrapper, 'sh', ...wrkArgs];
  const command = pin ? 'taskset' : 'sh';
  const args = pin ? ['-c', String(cpu), 'sh', ...shArgs] : shArgs;
  const child = spawnTracked('wrk', command, args);
  const stdout = tail(child.stdout, 20_000);
  const stderr = tail(child.stderr, 4000);
  const sampler = during ? setInterval(during, sampleMs) : undefined;
  const finished = await waitExit(child, (seconds + 15) * 1000);
  if (sampler) clearInterval(sampler);
  if (!finished) {
    await stopChild(child, 1000);
    throw new Error(`wrk did not finish within ${seconds + 15} s`);
  }
  if (child.exitCode !== 0) {
    throw new Error(
      `wrk exited with ${child.exitCode}: ${
        stderr()
          .replace(/WRK_CPU.*/, '')
          .trim() || stdout().trim()
      }`,
    );
  }
  const report = parseWrk(stdout());
  if (report.rps === null) throw new Error(`could not parse wrk's output:\n${stdout()}`);
  const stat = /WRK_CPU .*\) (.*)$/m.exec(stderr());
  if (stat) {
    const fields = stat[1].trim().split(' ');
    report.cpuTicks = Number(fields[13]) + Number(fields[14]); // cutime, cstime (fields 16 and 17)
  }
  return report;
}

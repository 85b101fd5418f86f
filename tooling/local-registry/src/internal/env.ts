// The environment handed to npm, pnpm and the registry itself.

// Network settings a machine may need to reach the npm registry at all (a proxy, a company CA);
// every other npm_* variable (a package manager's own, set for the script that started this one)
// could point npm at another registry or another config file, so it is dropped.
const KEPT = /^npm_config_(cafile|ca|proxy|https_proxy|http_proxy|noproxy|no_proxy|strict_ssl)$/i;

/** `base` without the npm_* variables a package manager sets for its scripts, plus `extra`. */
export function cleanEnv(base: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (/^npm_/i.test(key) && !KEPT.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

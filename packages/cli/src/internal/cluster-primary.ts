// The process `framework start --cluster` runs: node cluster-primary.js <core URL> <main module> <workers>.
// It loads the app's own @framework/core (not the CLI's) and makes this process the cluster primary
// for the built main module, without loading the app here. A file of its own, not `node -e`: the
// workers are forked with the primary's Node flags, and an `-e` script would run again in each.
const [core, exec, workers] = process.argv.slice(2);
if (core === undefined || exec === undefined) {
  console.error('usage: cluster-primary <@framework/core URL> <main module> [workers]');
  process.exit(2);
}
const module: unknown = await import(core);
const startCluster: unknown =
  typeof module === 'object' && module !== null ? Reflect.get(module, 'startCluster') : undefined;
if (typeof startCluster !== 'function') {
  console.error(
    "framework start --cluster: the app's @framework/core has no startCluster(); update @framework/core to a version with clustering.",
  );
  process.exit(1);
}
await startCluster({
  exec,
  cluster: { workers: workers === undefined || workers === 'auto' ? 'auto' : Number(workers) },
});

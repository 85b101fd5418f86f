// Writes dist/versions.json: the versions of the framework packages beside this one, which the
// projects that this build of create-framework generates depend on.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const folders = {
  '@framework/cli': 'cli',
  '@framework/core': 'core',
  '@framework/db': 'db',
  '@framework/cache': 'cache',
  '@framework/queue': 'queue',
  '@framework/auth': 'auth',
};

const versions = {};
for (const [name, folder] of Object.entries(folders)) {
  const manifest = new URL(`../../${folder}/package.json`, import.meta.url);
  if (!existsSync(manifest)) {
    console.warn(`create-framework: ${name} is not in the repository; generated projects cannot depend on it.`);
    continue;
  }
  const { name: found, version } = JSON.parse(readFileSync(manifest, 'utf8'));
  if (found !== name || typeof version !== 'string') throw new Error(`${manifest.pathname} is not ${name}`);
  versions[name] = version;
}
writeFileSync(new URL('../dist/versions.json', import.meta.url), `${JSON.stringify(versions, null, 2)}\n`);

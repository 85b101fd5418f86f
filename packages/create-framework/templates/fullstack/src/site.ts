import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { NotFoundError } from '@framework/core';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Reads the page (`index.html`) and the text assets in `public/assets` once. Only files found here
 * are ever served, so no request path can reach another file.
 */
export function readSite(directory: string) {
  const index = readFileSync(join(directory, 'index.html'), 'utf8');
  const assets = new Map<string, { type: string; body: string }>();
  for (const file of readdirSync(join(directory, 'assets'))) {
    const type = TYPES[extname(file)];
    if (type !== undefined) assets.set(file, { type, body: readFileSync(join(directory, 'assets', file), 'utf8') });
  }
  return {
    /** The page, with the CSRF token its script sends back. */
    page: (csrfToken: string) => index.replace('%CSRF_TOKEN%', csrfToken),
    asset: (name: string) => {
      const asset = assets.get(name);
      if (asset === undefined) throw new NotFoundError(`No asset named ${name} in ${directory}/assets.`);
      return new Response(asset.body, {
        headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=300' },
      });
    },
  };
}

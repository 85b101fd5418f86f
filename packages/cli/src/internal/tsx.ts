/**
 * Internal: the `--import` URL of tsx's loader, resolved from the CLI's own dependencies so the
 * app needs no tsx of its own. It runs TypeScript on Node 20 and 24 alike.
 */
export function tsxLoader(): string {
  return import.meta.resolve('tsx');
}

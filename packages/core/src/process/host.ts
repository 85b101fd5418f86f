import type { RequestContext } from '../context.ts';
import type { Logger } from '../logger.ts';
import type { Reply } from '../reply.ts';
import type { ServerAddress, StartOptions } from '../server/types.ts';

/** What process management uses of the app (the root app view implements it). */
export interface ProcessHost {
  /** The app's shared state: the key under which one app's process state is kept. */
  readonly core: object;
  readonly logger: Logger;
  /** Whether the server is up: false once `stop()` began, whoever called it. */
  readonly listening: boolean;
  onRequest(hook: (ctx: RequestContext) => unknown): unknown;
  onResponse(hook: (ctx: RequestContext, reply: Reply) => unknown): unknown;
  onClose(hook: () => unknown): unknown;
  /** Starts the server in this process, without process management. */
  listen(options: StartOptions): Promise<ServerAddress>;
  stop(): Promise<void>;
}

/**
 * The codes `create-framework` fails with, each with what to do about it.
 *
 * @example
 * ```ts
 * import { CREATE_ERROR_CODES } from 'create-framework';
 * console.log(CREATE_ERROR_CODES.FW_CREATE_USAGE);
 * ```
 */
export const CREATE_ERROR_CODES = {
  FW_CREATE_USAGE: 'The command line was not understood; `create-framework --help` lists the flags.',
  FW_CREATE_TARGET_NOT_EMPTY: 'The target directory has files in it; choose a new or empty directory.',
  FW_CREATE_INVALID_NAME:
    'The directory name is not a valid npm package name; use lowercase letters, digits and dashes.',
  FW_CREATE_VERSIONS: 'create-framework does not know the version of a framework package; reinstall create-framework.',
  FW_CREATE_INSTALL: 'Installing the dependencies failed; run the install command again in the new directory.',
  FW_CREATE_CANCELLED: 'The prompts were cancelled; nothing was written.',
} as const;

/**
 * One of `CREATE_ERROR_CODES`' keys.
 *
 * @example
 * ```ts
 * const code: CreateErrorCode = 'FW_CREATE_TARGET_NOT_EMPTY';
 * ```
 */
export type CreateErrorCode = keyof typeof CREATE_ERROR_CODES;

/**
 * What `create-framework` throws: a stable `code` from `CREATE_ERROR_CODES` and a message that says
 * what to do. Usage errors (`FW_CREATE_USAGE`) make the command exit with 2, the others with 1.
 *
 * @example
 * ```ts
 * import { CreateError, createProject } from 'create-framework';
 * try {
 *   await createProject({ directory: '/tmp/taken', template: 'api' });
 * } catch (error) {
 *   if (error instanceof CreateError && error.code === 'FW_CREATE_TARGET_NOT_EMPTY') console.error(error.message);
 * }
 * ```
 */
export class CreateError extends Error {
  readonly code: CreateErrorCode;

  constructor(code: CreateErrorCode, message: string) {
    super(message);
    this.name = 'CreateError';
    this.code = code;
  }

  /** The exit code the command ends with for this error. */
  get exitCode(): number {
    return this.code === 'FW_CREATE_USAGE' ? 2 : 1;
  }
}

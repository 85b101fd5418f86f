/**
 * Internal: a failure the CLI reports in one message and an exit code: 2 for a usage error (bad
 * flag, missing argument), 1 for anything else (no app found, build failed).
 */
export class CliFailure extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliFailure';
    this.exitCode = exitCode;
  }
}

/** Internal: a usage error (exit code 2); the dispatcher prints the command's usage after it. */
export class UsageError extends CliFailure {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

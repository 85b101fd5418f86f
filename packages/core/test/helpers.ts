/** The problem+json body the framework answers errors with, as tests read it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  issues: Array<{ path: Array<string | number>; message: string; code: string }>;
  stack: string[];
  [member: string]: unknown;
}

/** Reads a problem+json (or any JSON object) response body. */
export async function readJson(res: Response): Promise<Problem> {
  return (await res.json()) as Problem;
}

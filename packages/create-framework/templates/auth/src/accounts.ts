/** An account as the API shows it: never the password hash. */
export interface Account {
  id: number;
  email: string;
  /** `user` at sign-up; `admin` may call the admin routes. */
  role: string;
}

/** An account with what only the server reads. */
export interface User extends Account {
  /** The password's argon2id hash (`app.auth.passwords.hash`), never the password. */
  passwordHash: string;
}

/** Where accounts are kept (`src/users.ts`). */
export interface Users {
  list(): Promise<Account[]>;
  find(id: number): Promise<User | undefined>;
  findByEmail(email: string): Promise<User | undefined>;
  /** Rejects with a `ConflictError` (409) when the email has an account already. */
  add(input: { email: string; passwordHash: string }): Promise<User>;
}

/** What the API shows of a user. */
export function toAccount({ id, email, role }: User): Account {
  return { id, email, role };
}

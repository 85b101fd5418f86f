import { UsageError } from './failure.ts';

/** Internal: the words of a name written in any case: `addUsers`, `add-users`, `AddUsers` → add, users. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

/** Internal: the words of a name to generate from, or a usage error when it has none or starts with a digit. */
export function nameWords(name: string, example: string): string[] {
  const list = words(name);
  if (list.length === 0 || /^\d/.test(list[0] ?? '')) {
    throw new UsageError(`"${name}" cannot name generated code: use letters, e.g. ${example}.`);
  }
  return list;
}

/** Internal: `users-list`. */
export const kebab = (list: readonly string[]): string => list.join('-');
/** Internal: `usersList`. */
export const camel = (list: readonly string[]): string =>
  list.map((word, index) => (index === 0 ? word : word[0]?.toUpperCase() + word.slice(1))).join('');
/** Internal: `UsersList`. */
export const pascal = (list: readonly string[]): string =>
  list.map((word) => word[0]?.toUpperCase() + word.slice(1)).join('');
/** Internal: `users_list`. */
export const snake = (list: readonly string[]): string => list.join('_');

/** Internal: an English plural good enough for table names: user → users, category → categories. */
export function plural(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

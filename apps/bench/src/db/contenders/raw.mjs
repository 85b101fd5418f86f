// Raw postgres.js: tagged templates, the fastest a hand-written query gets on this driver.
import postgres from 'postgres';
import { JOIN_LIMIT, JOIN_MIN_AGE } from '../schema.mjs';

export const info = { name: 'raw', label: 'raw postgres.js (tagged templates)', packages: ['postgres'] };

export async function open(url) {
  const sql = postgres(url, { onnotice: () => {} });
  return {
    findUser: async (id) => {
      const [user] = await sql`select id, email, name, age from users where id = ${id}`;
      return user ?? null;
    },
    joinPosts: () => sql`
      select posts.id, posts.title, users.name as "authorName"
      from posts inner join users on posts.user_id = users.id
      where posts.published = ${true} and users.age > ${JOIN_MIN_AGE}
      order by posts.id limit ${JOIN_LIMIT}`,
    insertUsers: (rows) => sql`insert into bulk_users ${sql(rows, 'email', 'name', 'age')}`,
    plainUser: (user) => user,
    plainJoin: (rows) => rows,
    close: () => sql.end({ timeout: 5 }),
  };
}

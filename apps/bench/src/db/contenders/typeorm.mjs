// TypeORM with EntitySchema (plain JavaScript needs no decorators) on its `pg` driver. Reads return
// entities, as TypeORM users get them; the join is a QueryBuilder query (one SQL statement: the
// repository `find` with `take` and a relation would add a second, DISTINCT query).
import { DataSource, EntitySchema } from 'typeorm';
import { JOIN_LIMIT, JOIN_MIN_AGE } from '../schema.mjs';

export const info = { name: 'typeorm', label: 'TypeORM (EntitySchema, pg driver)', packages: ['typeorm', 'pg'] };

const userColumns = {
  id: { type: Number, primary: true, generated: 'increment' },
  email: { type: 'varchar', length: 255, unique: true },
  name: { type: 'varchar', length: 100, nullable: true },
  age: { type: 'integer', nullable: true },
};
const User = new EntitySchema({ name: 'User', tableName: 'users', columns: userColumns });
const BulkUser = new EntitySchema({ name: 'BulkUser', tableName: 'bulk_users', columns: userColumns });
const Post = new EntitySchema({
  name: 'Post',
  tableName: 'posts',
  columns: {
    id: { type: Number, primary: true, generated: 'increment' },
    title: { type: 'varchar', length: 200 },
    published: { type: 'boolean', default: false },
    createdAt: { type: 'timestamp', name: 'created_at', createDate: true },
  },
  relations: {
    author: { type: 'many-to-one', target: 'User', joinColumn: { name: 'user_id' }, nullable: false },
  },
});

export async function open(url) {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities: [User, BulkUser, Post],
    synchronize: false,
    logging: false,
  });
  await dataSource.initialize();
  const users = dataSource.getRepository(User);
  const bulkUsers = dataSource.getRepository(BulkUser);
  const posts = dataSource.getRepository(Post);
  return {
    findUser: (id) => users.findOneBy({ id }),
    joinPosts: () =>
      posts
        .createQueryBuilder('post')
        .innerJoin('post.author', 'author')
        .select(['post.id', 'post.title', 'author.id', 'author.name'])
        .where('post.published = :published', { published: true })
        .andWhere('author.age > :age', { age: JOIN_MIN_AGE })
        .orderBy('post.id', 'ASC')
        .limit(JOIN_LIMIT)
        .getMany(),
    insertUsers: (rows) => bulkUsers.insert(rows),
    plainUser: (user) => (user ? { id: user.id, email: user.email, name: user.name, age: user.age } : null),
    plainJoin: (rows) => rows.map((post) => ({ id: post.id, title: post.title, authorName: post.author.name })),
    close: () => dataSource.destroy(),
  };
}

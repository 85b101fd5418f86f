// Sequelize with models from `define` on its `pg` driver. Reads return model instances, as Sequelize
// users get them (no `raw: true`); the join is an `include` of the author association.
import { DataTypes, Op, Sequelize } from 'sequelize';
import { JOIN_LIMIT, JOIN_MIN_AGE } from '../schema.mjs';

export const info = { name: 'sequelize', label: 'Sequelize (define, pg driver)', packages: ['sequelize', 'pg'] };

const userAttributes = {
  id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
  email: { type: DataTypes.STRING(255), allowNull: false, unique: true },
  name: { type: DataTypes.STRING(100) },
  age: { type: DataTypes.INTEGER },
};

export async function open(url) {
  const sequelize = new Sequelize(url, { dialect: 'postgres', logging: false });
  const User = sequelize.define('User', userAttributes, { tableName: 'users', timestamps: false });
  const BulkUser = sequelize.define('BulkUser', userAttributes, { tableName: 'bulk_users', timestamps: false });
  const Post = sequelize.define(
    'Post',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      userId: { type: DataTypes.INTEGER, allowNull: false, field: 'user_id' },
      title: { type: DataTypes.STRING(200), allowNull: false },
      published: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      createdAt: { type: DataTypes.DATE, field: 'created_at', defaultValue: DataTypes.NOW },
    },
    { tableName: 'posts', timestamps: false },
  );
  Post.belongsTo(User, { as: 'author', foreignKey: 'userId' });
  await sequelize.authenticate();
  return {
    findUser: (id) => User.findByPk(id),
    joinPosts: () =>
      Post.findAll({
        attributes: ['id', 'title'],
        include: [{ model: User, as: 'author', attributes: ['name'], where: { age: { [Op.gt]: JOIN_MIN_AGE } } }],
        where: { published: true },
        order: [['id', 'ASC']],
        limit: JOIN_LIMIT,
      }),
    insertUsers: (rows) => BulkUser.bulkCreate(rows),
    plainUser: (user) => (user ? user.get({ plain: true }) : null),
    plainJoin: (rows) => rows.map((post) => ({ id: post.id, title: post.title, authorName: post.author.name })),
    close: () => sequelize.close(),
  };
}

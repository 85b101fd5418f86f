create table users (
  id serial primary key,
  -- Lower-cased by the app; null for an account made by an OpenID login without a verified email.
  email varchar(254) unique,
  name varchar(100) not null,
  -- argon2id in PHC form; null for an account that signs in only through OpenID.
  password_hash text,
  roles text[] not null default '{user}',
  created_at timestamp not null default now()
);

-- An OpenID account (provider and subject) linked to a user: how a returning login finds its user.
create table user_logins (
  provider varchar(50) not null,
  subject varchar(255) not null,
  user_id integer not null references users (id) on delete cascade,
  created_at timestamp not null default now(),
  primary key (provider, subject)
);

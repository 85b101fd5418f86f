create table users (
  id serial primary key,
  email varchar(254) not null unique,
  password_hash varchar(255) not null,
  role varchar(20) not null default 'user',
  created_at timestamp not null default now()
);

create table notes (
  id serial primary key,
  title varchar(200) not null,
  created_at timestamp not null default now()
);

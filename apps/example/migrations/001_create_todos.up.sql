create table todos (
  id serial primary key,
  title varchar(200) not null,
  done boolean not null default false,
  created_at timestamp not null default now()
);

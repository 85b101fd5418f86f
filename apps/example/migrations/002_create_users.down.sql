drop table user_logins;
drop table users;

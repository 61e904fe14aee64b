-- A user's e-mail address: where notifications go, and one of the ways a name in a doc's
-- `authors:` is matched to a hub user. Optional; unique when set, whatever the case (NULLs never collide).
ALTER TABLE users ADD COLUMN email TEXT;
CREATE UNIQUE INDEX users_email ON users (LOWER(email));

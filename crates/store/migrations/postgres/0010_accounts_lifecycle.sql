-- The account lifecycle. A one-time password (from `user add`, the first start or an
-- admin's reset) sets `must_change_password`: its session may only set a new password.
-- `password_expires_at` (Unix ms, NULL: never) ends it after 24 hours, and signing in with
-- it sets it to that moment, so it works once. A deleted user stays as a tombstone
-- (`deleted_at` set, disabled, no password, no e-mail): comments and verdicts keep their
-- author's name, and the name is never given to anyone else. Existing users keep their
-- passwords as they were (not one-time, no expiry).
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_expires_at BIGINT;
ALTER TABLE users ADD COLUMN deleted_at BIGINT;

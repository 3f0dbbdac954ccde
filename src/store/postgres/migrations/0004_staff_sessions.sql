-- Console sign-ins (web/staff.rs): codec bytes by the SHA-256 of the cookie token (never the
-- token), with the login so that disabling an account ends all of its sessions at once.
CREATE TABLE staff_sessions (
    key bytea PRIMARY KEY,
    login text NOT NULL,
    value bytea NOT NULL
);
CREATE INDEX staff_sessions_by_login ON staff_sessions (login);

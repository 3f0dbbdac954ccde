-- Staff accounts (officers and admins of the web console): codec bytes by login. Not sealed:
-- work records with a one-way password hash, kept through citizens' erasures.
CREATE TABLE accounts (
    login text PRIMARY KEY,
    value bytea NOT NULL
);

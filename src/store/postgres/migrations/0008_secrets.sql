-- Keys every instance must share (the key signing attachment links and the web chat's form
-- tokens), made once by the first instance that needs one: without it each instance would
-- make its own, and a link or form from one would be refused by the others.
CREATE TABLE secrets (
    name text PRIMARY KEY,
    value bytea NOT NULL
);

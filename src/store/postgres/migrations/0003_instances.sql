-- Several pintu instances on one database (see "Several instances" in postgres.rs).

-- Each chat's step version, by a 64-bit hash of its key (no personal data): a commit of a
-- step moves it on only if it is still the version the step read. Never deleted, so a chat
-- erased and started again never returns to a version a stale step could have read.
CREATE TABLE chat_versions (
    chat bigint PRIMARY KEY,
    version bigint NOT NULL
);

-- One row per stepped platform message (its hash), so any instance can ask whether a
-- redelivery was stepped already; expires with the hourly markers in `seen`.
CREATE TABLE seen_once (
    hash bigint PRIMARY KEY,
    hour bigint NOT NULL
);
CREATE INDEX seen_once_by_hour ON seen_once (hour);

-- Until when an instance holds an entry to attempt it; NULL or past: anyone may claim it.
ALTER TABLE outbox_pending ADD COLUMN claimed_until timestamptz;

-- Until when the instance that committed a pending reply (or took it over) has it to send;
-- past that, another instance sends it (its committer died before sending).
ALTER TABLE replies ADD COLUMN claimed_until timestamptz NOT NULL DEFAULT now();

-- Jobs one instance at a time does (Telegram getUpdates): who holds each and until when.
CREATE TABLE leases (
    name text PRIMARY KEY,
    holder text NOT NULL,
    until timestamptz NOT NULL
);

-- The first schema: one table per kind of record, values as `codec` bytes (bytea), and
-- codec's keys wherever their byte order is the order the Store trait reads in.

-- Keys of sealed records (crypto-shredding, see store/seal.rs): a key lives as long as the
-- records sealed under it; deleting its row (then vacuuming, see postgres.rs) erases every
-- copy of their personal data, old row versions included.
CREATE TABLE seal_keys (
    slot integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id bigint NOT NULL,
    secret bytea NOT NULL
);

-- key: codec::session_key (sessions are listed in its order).
CREATE TABLE sessions (
    key bytea PRIMARY KEY,
    key_slot integer,
    value bytea NOT NULL
);

-- Chats are codec::session_key bytes (a chat id may hold any character, NUL included).
-- key: codec::ticket_key (number order); chat_order: codec::index_key (creation order per chat).
CREATE TABLE tickets (
    key bytea PRIMARY KEY,
    chat bytea NOT NULL,
    chat_order bytea NOT NULL,
    key_slot integer,
    value bytea NOT NULL
);
CREATE INDEX tickets_by_chat ON tickets (chat, chat_order);

-- One row per hour per commit: codec::encode_seen of the hashes marked.
CREATE TABLE seen (
    hour bigint NOT NULL,
    hashes bytea NOT NULL
);
CREATE INDEX seen_by_hour ON seen (hour);

CREATE TABLE scripts (
    id text NOT NULL,
    version integer NOT NULL,
    source bytea NOT NULL,
    PRIMARY KEY (id, version)
);

-- id: the entry's u64 id as bigint (same bits); due_order: codec::due_key (due, then id).
CREATE TABLE outbox_pending (
    id bigint PRIMARY KEY,
    due_order bytea NOT NULL,
    value bytea NOT NULL
);
CREATE INDEX outbox_pending_by_due ON outbox_pending (due_order);

CREATE TABLE outbox_dead (
    id bigint PRIMARY KEY,
    value bytea NOT NULL
);

-- key: codec::reply_key (chat, then seq); value: a one-reply group sealed under the key of the
-- commit that wrote it, destroyed once none of that commit's replies is pending.
CREATE TABLE replies (
    key bytea PRIMARY KEY,
    channel text NOT NULL,
    chat bytea NOT NULL,
    key_slot integer NOT NULL,
    value bytea NOT NULL
);
CREATE INDEX replies_by_channel ON replies (channel, key);
CREATE INDEX replies_by_chat ON replies (chat, key);
CREATE INDEX replies_by_key_slot ON replies (key_slot);

CREATE TABLE audit (
    n bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at bigint NOT NULL,
    value bytea NOT NULL
);
CREATE INDEX audit_newest ON audit (at DESC, n DESC);

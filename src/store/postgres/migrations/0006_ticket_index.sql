-- What listings filter and sort tickets by, beside the sealed value, so the officers' queue,
-- the ticket API and the follow-up scan read only the tickets they show or change instead of
-- every ticket. No personal data: the OPD, service, status, number and dates. Written with
-- every ticket; rows written before this migration are filled in when the store opens
-- (`PgStore::index_tickets`), which needs the seal keys, so SQL cannot do it here.
ALTER TABLE tickets
    ADD COLUMN number text,
    ADD COLUMN opd text,
    ADD COLUMN script text,
    ADD COLUMN status text,
    ADD COLUMN created bigint,
    ADD COLUMN due integer,
    ADD COLUMN last_change bigint,
    ADD COLUMN erased boolean;

-- The queue: one OPD's tickets newest first; an admin's, every OPD's.
CREATE INDEX tickets_queue ON tickets (opd, created DESC);
CREATE INDEX tickets_by_created ON tickets (created DESC);
-- The follow-up scan: open tickets by status, and closed ones due for retention.
CREATE INDEX tickets_by_status ON tickets (status);
CREATE INDEX tickets_to_erase ON tickets (last_change) WHERE NOT erased;

-- The dialog and text files every instance serves (see "Several instances" in reload.rs): an
-- edit on one instance is published here as the next revision, and the others write it into
-- their own folders. Rows are never deleted: their digests tell an instance whose folders
-- hold an older published set (behind, so it takes the newest) from one whose folders were
-- edited (ahead, so it publishes them).
CREATE TABLE dialog_sets (
    revision bigserial PRIMARY KEY,
    digest bytea NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by text NOT NULL
);
CREATE INDEX dialog_sets_by_digest ON dialog_sets (digest);

-- The files of the newest revisions (older ones are pruned): paths under `dialogs/` or
-- `locales/`, as the folders hold them. No personal data.
CREATE TABLE dialog_files (
    revision bigint NOT NULL REFERENCES dialog_sets ON DELETE CASCADE,
    path text NOT NULL,
    content bytea NOT NULL,
    PRIMARY KEY (revision, path)
);

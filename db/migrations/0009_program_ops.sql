-- Organizers change the programme from the bot: who stored each version and how, the uploads
-- waiting for a Confirm, the live edits that can be undone, and audit entries that point at
-- what their buttons act on.

-- kind: import (a file: the command line, an upload, the first load), edit, undo, rollback.
ALTER TABLE programs ADD COLUMN kind TEXT NOT NULL DEFAULT 'import';
ALTER TABLE programs ADD COLUMN actor_id INTEGER;             -- NULL: the command line or the start
ALTER TABLE programs ADD COLUMN summary TEXT NOT NULL DEFAULT '{}'; -- JSON counts of what changed

-- An uploaded file that passed the checks and is shown as a preview until Confirm or Cancel.
CREATE TABLE program_drafts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id     INTEGER NOT NULL,
    base_version INTEGER NOT NULL,                  -- the version the preview compared with
    filename     TEXT    NOT NULL,
    source       TEXT    NOT NULL,                  -- program-file text, as stored on Confirm
    created_at   TEXT    NOT NULL
);

-- A live edit: the values it replaced and the ones it set, so that it can be undone.
CREATE TABLE program_edits (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    version     INTEGER NOT NULL,                   -- the programme version the edit made
    actor_id    INTEGER,
    at          TEXT    NOT NULL,                   -- ISO 8601, UTC
    kind        TEXT    NOT NULL,                   -- delay, move, hall, cancel, restore, notice...
    target      TEXT    NOT NULL,                   -- the session or section id
    before      TEXT    NOT NULL,                   -- JSON patch: the values before
    after       TEXT    NOT NULL,                   -- JSON patch: the values set
    undone_by   INTEGER                             -- the edit that undid this one
);

ALTER TABLE audit_log ADD COLUMN ref TEXT;          -- e.g. edit:12, program:7

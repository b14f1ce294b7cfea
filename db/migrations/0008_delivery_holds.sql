-- Pause and resume: a held (kind, ref) group of deliveries is not claimed by the engine, across
-- restarts; announcements get a 'paused' status and remember when their queuing finished.

CREATE TABLE delivery_holds (
    kind        TEXT    NOT NULL,
    ref         TEXT    NOT NULL,
    how         TEXT    NOT NULL CHECK (how IN ('pause', 'stop')),
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (kind, ref)
);

CREATE TABLE announcements_new (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id           INTEGER,                    -- NULL once the author asked to be forgotten
    content             TEXT    NOT NULL,           -- JSON: {"default": lang, "versions": {...}}
    audience            TEXT    NOT NULL,           -- a key of the audience registry
    audience_param      TEXT    NOT NULL DEFAULT '',
    urgent              INTEGER NOT NULL DEFAULT 0, -- reaches people who muted announcements
    status              TEXT    NOT NULL
                        CHECK (status IN ('scheduled', 'queuing', 'sending', 'paused', 'done',
                                          'cancelled', 'stopped', 'missed')),
    send_at             TEXT,                       -- ISO 8601, UTC
    total               INTEGER NOT NULL DEFAULT 0, -- deliveries queued
    progress_message_id INTEGER,                    -- the author's progress message
    started_at          TEXT,
    queued_at           TEXT,                       -- every recipient's delivery is queued
    finished_at         TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);
INSERT INTO announcements_new
    (id, author_id, content, audience, audience_param, urgent, status, send_at, total,
     progress_message_id, started_at, queued_at, finished_at, created_at, updated_at)
SELECT id, author_id, content, audience, audience_param, urgent, status, send_at, total,
       progress_message_id, started_at,
       CASE WHEN status IN ('sending', 'done') THEN updated_at END,
       finished_at, created_at, updated_at
FROM announcements;
DROP TABLE announcements;
ALTER TABLE announcements_new RENAME TO announcements;
CREATE INDEX announcements_status ON announcements (status, send_at);

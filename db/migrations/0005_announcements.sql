-- Announcements (now or at a set time), the audit log of organizer actions, invite links.

CREATE TABLE announcements (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    author_id           INTEGER,                    -- NULL once the author asked to be forgotten
    content             TEXT    NOT NULL,           -- JSON: {"default": lang, "versions": {...}}
    audience            TEXT    NOT NULL,           -- a key of the audience registry
    audience_param      TEXT    NOT NULL DEFAULT '',
    urgent              INTEGER NOT NULL DEFAULT 0, -- reaches people who muted announcements
    status              TEXT    NOT NULL
                        CHECK (status IN ('scheduled', 'queuing', 'sending', 'done',
                                          'cancelled', 'stopped', 'missed')),
    send_at             TEXT,                       -- ISO 8601, UTC
    total               INTEGER NOT NULL DEFAULT 0, -- deliveries queued
    progress_message_id INTEGER,                    -- the author's progress message
    started_at          TEXT,
    finished_at         TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);
CREATE INDEX announcements_status ON announcements (status, send_at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT    NOT NULL,                   -- ISO 8601, UTC
    actor_id    INTEGER,
    action      TEXT    NOT NULL,                   -- e.g. role.add, announcement.sent
    details     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (id DESC);

-- One-time links that make whoever opens them an organizer.
CREATE TABLE invites (
    token       TEXT PRIMARY KEY,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    used_by     INTEGER,
    used_at     TEXT
);

-- Users, the loaded forum program, conversation state and the delivery queue.

CREATE TABLE users (
    id                INTEGER PRIMARY KEY,          -- Telegram user id
    first_name        TEXT    NOT NULL DEFAULT '',
    last_name         TEXT,
    username          TEXT,
    language          TEXT,                         -- chosen with /language; NULL follows Telegram
    telegram_language TEXT,                         -- Telegram's language_code, last seen
    role              TEXT    NOT NULL DEFAULT 'participant'
                      CHECK (role IN ('participant', 'organizer', 'owner')),
    first_seen        TEXT    NOT NULL,             -- ISO 8601, UTC
    last_seen         TEXT    NOT NULL,
    blocked_at        TEXT,                         -- the user blocked the bot (403)
    reminder_minutes  INTEGER DEFAULT 15,           -- NULL: reminders off
    digest            INTEGER NOT NULL DEFAULT 1,   -- morning digest on forum days
    muted             INTEGER NOT NULL DEFAULT 0    -- ordinary announcements muted
);
CREATE INDEX users_username ON users (lower(username));

CREATE TABLE programs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    checksum    TEXT NOT NULL,
    filename    TEXT NOT NULL,
    source      TEXT NOT NULL,                      -- the YAML text, parsed again at start
    loaded_at   TEXT NOT NULL
);

CREATE TABLE fsm (
    key         TEXT PRIMARY KEY,                   -- bot:chat:user[:thread]
    state       TEXT,
    data        TEXT NOT NULL DEFAULT '{}'          -- JSON
);

-- One row per message to one person: announcements, reminders, notices.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL,
    kind            TEXT    NOT NULL,               -- announcement, reminder, change, digest, answer...
    ref             TEXT,                           -- what it belongs to, e.g. an announcement id
    dedup_key       TEXT UNIQUE,                    -- the same key is never queued twice
    payload         TEXT    NOT NULL,               -- JSON: text or media, reply_markup, options
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked',
                                      'cancelled')),
    priority        INTEGER NOT NULL DEFAULT 0,     -- higher first
    not_before      TEXT    NOT NULL,               -- ISO 8601, UTC
    attempts        INTEGER NOT NULL DEFAULT 0,
    message_id      INTEGER,
    error           TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (status, not_before);
CREATE INDEX deliveries_ref ON deliveries (kind, ref, status);

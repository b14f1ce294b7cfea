-- Youth meeting registrations (one per Telegram account) and anonymous counts of forgotten ones.

CREATE TABLE registrations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER NOT NULL UNIQUE,       -- one registration per Telegram account
    status           TEXT    NOT NULL
                     CHECK (status IN ('registered', 'waiting', 'cancelled', 'checked_in')),
    queue_no         INTEGER,                       -- order on the waiting list
    full_name        TEXT    NOT NULL,
    birth_date       TEXT    NOT NULL,              -- ISO date
    country          TEXT    NOT NULL,              -- BY, RU or other
    region           TEXT    NOT NULL,
    city             TEXT    NOT NULL,
    organization     TEXT    NOT NULL,
    position         TEXT    NOT NULL,
    phone            TEXT    NOT NULL,              -- E.164
    email            TEXT    NOT NULL,
    answers          TEXT    NOT NULL DEFAULT '{}', -- JSON: extra question id -> answer
    guardian_name    TEXT,
    guardian_phone   TEXT,
    consent_at       TEXT    NOT NULL,              -- ISO 8601, UTC
    guardian_consent_at TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    checked_in_at    TEXT,
    checked_in_by    INTEGER
);
CREATE INDEX registrations_status ON registrations (status, queue_no);

-- What is left of a registration after /forget: no person, only what the counts need.
CREATE TABLE registration_anon (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    status      TEXT NOT NULL,
    country     TEXT NOT NULL,
    region      TEXT NOT NULL,
    created_day TEXT NOT NULL                        -- ISO date (UTC) of the registration
);

-- Questions people send to the organizers, and the organizers' answers.

CREATE TABLE questions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL,                  -- the asker
    text         TEXT    NOT NULL,
    asked_at     TEXT    NOT NULL,                  -- ISO 8601, UTC
    -- draft: the bot found no answer and offered to send it; open: sent to the organizers
    status       TEXT    NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'open', 'answered')),
    answer       TEXT,
    answered_by  INTEGER,                           -- the organizer's user id
    answered_at  TEXT
);
CREATE INDEX questions_status ON questions (status, id);
CREATE INDEX questions_user ON questions (user_id);

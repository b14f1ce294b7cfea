-- In the session (issue 15): questions to the speakers with votes, moderators, mutes, polls,
-- ratings and comments, materials. Session and section ids are those of the program file.

-- Moderators of a session besides the organizers: speakers linked by a one-time invite link.
CREATE TABLE session_moderators (
    session_id  TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    added_by    INTEGER,
    added_at    TEXT    NOT NULL,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_moderators_user ON session_moderators (user_id);

CREATE TABLE moderator_invites (
    token       TEXT PRIMARY KEY,
    session_id  TEXT    NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    used_by     INTEGER,
    used_at     TEXT
);

-- status: held (has a link: waits for a moderator), open, answered, hidden.
CREATE TABLE session_questions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    anonymous   INTEGER NOT NULL DEFAULT 0,
    status      TEXT    NOT NULL DEFAULT 'open'
                CHECK (status IN ('held', 'open', 'answered', 'hidden')),
    pinned      INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL,             -- ISO 8601, UTC, on the bot's clock
    updated_at  TEXT    NOT NULL
);
CREATE INDEX session_questions_session ON session_questions (session_id, status);
CREATE INDEX session_questions_user ON session_questions (user_id, created_at);

CREATE TABLE session_question_votes (
    question_id INTEGER NOT NULL REFERENCES session_questions (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
CREATE INDEX session_question_votes_user ON session_question_votes (user_id);

CREATE TABLE session_mutes (
    session_id  TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    muted_by    INTEGER,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (session_id, user_id)
);

-- The last list a person opened (questions, moderator view or poll results), edited in place
-- when it changes; `shown` is what it shows now, so that an edit is never a no-op.
CREATE TABLE session_views (
    user_id     INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('list', 'mod', 'poll')),
    ref         TEXT    NOT NULL,             -- session id, or poll id for results
    message_id  INTEGER NOT NULL,
    shown       TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (user_id, kind, ref)
);

CREATE TABLE session_polls (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT    NOT NULL,
    question    TEXT    NOT NULL,
    options     TEXT    NOT NULL,             -- JSON list of strings (the forum's language)
    versions    TEXT    NOT NULL DEFAULT '{}', -- JSON: language -> [question, options]
    created_by  INTEGER,
    created_at  TEXT    NOT NULL
);

-- One native poll per person: Telegram's poll id tells whose answer an update is.
CREATE TABLE session_poll_messages (
    telegram_poll_id TEXT PRIMARY KEY,
    poll_id     INTEGER NOT NULL REFERENCES session_polls (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    message_id  INTEGER
);
CREATE INDEX session_poll_messages_user ON session_poll_messages (user_id);

-- Keyed by Telegram's poll id: an answer may come before the engine has recorded whose
-- poll it is (the person answers the moment it arrives); the join counts it once it has.
CREATE TABLE session_poll_answers (
    telegram_poll_id TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    option_ids  TEXT    NOT NULL,             -- JSON list of option indexes
    answered_at TEXT    NOT NULL
);
CREATE INDEX session_poll_answers_user ON session_poll_answers (user_id);

CREATE TABLE session_ratings (
    session_id  TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_ratings_user ON session_ratings (user_id);

-- People who turned feedback requests off in /settings.
CREATE TABLE feedback_off (
    user_id     INTEGER PRIMARY KEY,
    created_at  TEXT    NOT NULL
);

-- A session's or a section's presentations, documents and links.
CREATE TABLE materials (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT,
    section_id  TEXT,
    kind        TEXT    NOT NULL CHECK (kind IN ('file', 'link')),
    title       TEXT    NOT NULL,
    file_id     TEXT,
    file_size   INTEGER,
    url         TEXT,
    added_by    INTEGER,
    added_at    TEXT    NOT NULL,
    CHECK ((session_id IS NULL) <> (section_id IS NULL))
);
CREATE INDEX materials_session ON materials (session_id);
CREATE INDEX materials_section ON materials (section_id);

-- Answers to the end-of-forum survey (questions from the program file), codes not labels:
-- a choice's option number, yes / no, or the text typed.
CREATE TABLE survey_answers (
    user_id     INTEGER NOT NULL,
    question_id TEXT    NOT NULL,
    answer      TEXT    NOT NULL,
    answered_at TEXT    NOT NULL,
    PRIMARY KEY (user_id, question_id)
);

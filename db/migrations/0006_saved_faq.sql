-- FAQ entries the organizers saved from answered inbox questions. They live apart from the
-- imported program so that a new import keeps them; the bot merges them into the program.

CREATE TABLE saved_faq (
    id           TEXT    PRIMARY KEY,               -- the FAQ entry's id: inbox-<question id>
    question     TEXT    NOT NULL,                  -- JSON {language: text}
    answer       TEXT    NOT NULL,                  -- JSON {language: text}
    keywords     TEXT    NOT NULL DEFAULT '[]',     -- JSON list of words people used
    question_id  INTEGER,                           -- the inbox question it came from
    created_by   INTEGER,                           -- the organizer; NULL once forgotten
    created_at   TEXT    NOT NULL                   -- ISO 8601, UTC
);

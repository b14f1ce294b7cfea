-- The personal agenda (saved sessions) and section subscriptions.

-- via_section: the session was added by subscribing to that section (NULL: saved by hand);
-- unsubscribing removes only those rows.
CREATE TABLE agenda (
    user_id     INTEGER NOT NULL,
    session_id  TEXT    NOT NULL,                   -- a session id of the program file
    via_section TEXT,
    added_at    TEXT    NOT NULL,                   -- ISO 8601, UTC
    PRIMARY KEY (user_id, session_id)
);
CREATE INDEX agenda_session ON agenda (session_id);

CREATE TABLE section_subscriptions (
    user_id     INTEGER NOT NULL,
    section_id  TEXT    NOT NULL,
    added_at    TEXT    NOT NULL,
    PRIMARY KEY (user_id, section_id)
);
CREATE INDEX section_subscriptions_section ON section_subscriptions (section_id);

-- Delegations (issue 16): delegates' opt-in profiles, the one-time links that let a member
-- claim a pre-loaded delegation entry, meeting requests between delegates, and blocks.

-- One profile per person; `id` is what buttons carry (never the Telegram id, which is a
-- contact). city: a city key of the programme (`by-mogilev-tula`); areas and languages: JSON
-- lists of codes; visibility: none, partners (delegates of the partner cities) or all.
CREATE TABLE delegate_profiles (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL UNIQUE,
    city          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    organization  TEXT    NOT NULL DEFAULT '',
    position      TEXT    NOT NULL DEFAULT '',
    areas         TEXT    NOT NULL DEFAULT '[]',
    languages     TEXT    NOT NULL DEFAULT '[]',
    visibility    TEXT    NOT NULL DEFAULT 'partners',
    member        TEXT,                               -- a claimed entry: <delegation>/<member>
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX delegate_profiles_city ON delegate_profiles (city);
CREATE UNIQUE INDEX delegate_profiles_member ON delegate_profiles (member) WHERE member IS NOT NULL;

-- A one-time link to claim a delegation member's entry (`/start dm-<token>`).
CREATE TABLE delegation_claims (
    token       TEXT    PRIMARY KEY,
    member      TEXT    NOT NULL,                     -- <delegation>/<member>
    created_by  INTEGER,
    created_at  TEXT    NOT NULL,
    claimed_by  INTEGER,
    claimed_at  TEXT
);
CREATE INDEX delegation_claims_member ON delegation_claims (member);

-- A meeting request. proposer: who proposed the current times (the other side answers);
-- slots: JSON list of proposed start moments (ISO, UTC); start_at: the agreed one.
-- status: open, accepted, declined, cancelled. The cities are kept for the organizers'
-- counts per city pair.
CREATE TABLE meetings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    requester      INTEGER NOT NULL,
    invitee        INTEGER NOT NULL,
    requester_city TEXT    NOT NULL,
    invitee_city   TEXT    NOT NULL,
    proposer       INTEGER NOT NULL,
    note           TEXT    NOT NULL DEFAULT '',
    slots          TEXT    NOT NULL DEFAULT '[]',
    minutes        INTEGER NOT NULL DEFAULT 30,
    start_at       TEXT,
    status         TEXT    NOT NULL DEFAULT 'open',
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX meetings_requester ON meetings (requester, status);
CREATE INDEX meetings_invitee ON meetings (invitee, status);

-- user_id does not want to hear from blocked_id (requests refused, profiles hidden both ways).
CREATE TABLE delegate_blocks (
    user_id     INTEGER NOT NULL,
    blocked_id  INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    PRIMARY KEY (user_id, blocked_id)
);

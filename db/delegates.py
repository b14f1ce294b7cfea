"""Delegates' profiles, delegation claim links, meeting requests and blocks (issue 16)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from db.base import Connection

OPEN, ACCEPTED, DECLINED, CANCELLED = "open", "accepted", "declined", "cancelled"


@dataclass(frozen=True, slots=True)
class Profile:
    id: int
    user_id: int
    city: str
    name: str
    organization: str
    position: str
    areas: tuple[str, ...]
    languages: tuple[str, ...]
    visibility: str
    member: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class ProfileData:
    """What the profile form stores."""

    city: str
    name: str
    organization: str
    position: str
    areas: tuple[str, ...]
    languages: tuple[str, ...]
    visibility: str
    member: str | None = None


@dataclass(frozen=True, slots=True)
class Meeting:
    id: int
    requester: int
    invitee: int
    requester_city: str
    invitee_city: str
    proposer: int
    note: str
    slots: tuple[str, ...]
    minutes: int
    start_at: str | None
    status: str
    created_at: str
    updated_at: str

    def other(self, user_id: int) -> int:
        return self.invitee if user_id == self.requester else self.requester

    def answerer(self) -> int:
        """Who is to answer the proposed times."""
        return self.other(self.proposer)

    def has(self, user_id: int) -> bool:
        return user_id in (self.requester, self.invitee)


def _profile(row: Any) -> Profile:
    r = dict(row)
    r["areas"] = tuple(json.loads(r["areas"]))
    r["languages"] = tuple(json.loads(r["languages"]))
    return Profile(**r)


def _meeting(row: Any) -> Meeting:
    r = dict(row)
    r["slots"] = tuple(json.loads(r["slots"]))
    return Meeting(**r)


class DelegateRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    # ------------------------------------------------------------------ profiles

    async def profile_of(self, user_id: int) -> Profile | None:
        sql = "SELECT * FROM delegate_profiles WHERE user_id = ?"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            row = await cur.fetchone()
        return _profile(row) if row else None

    async def profile(self, profile_id: int) -> Profile | None:
        sql = "SELECT * FROM delegate_profiles WHERE id = ?"
        async with self.db.conn.execute(sql, (profile_id,)) as cur:
            row = await cur.fetchone()
        return _profile(row) if row else None

    async def save_profile(self, user_id: int, data: ProfileData) -> Profile:
        now = self.db.now_iso()
        await self.db.conn.execute(
            """INSERT INTO delegate_profiles (user_id, city, name, organization, position, areas,
                   languages, visibility, member, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET city = excluded.city, name = excluded.name,
                   organization = excluded.organization, position = excluded.position,
                   areas = excluded.areas, languages = excluded.languages,
                   visibility = excluded.visibility,
                   member = COALESCE(excluded.member, delegate_profiles.member),
                   updated_at = excluded.updated_at""",
            (
                user_id,
                data.city,
                data.name,
                data.organization,
                data.position,
                json.dumps(list(data.areas)),
                json.dumps(list(data.languages)),
                data.visibility,
                data.member,
                now,
                now,
            ),
        )
        found = await self.profile_of(user_id)
        assert found is not None
        return found

    async def set_visibility(self, user_id: int, visibility: str) -> None:
        await self.db.conn.execute(
            "UPDATE delegate_profiles SET visibility = ?, updated_at = ? WHERE user_id = ?",
            (visibility, self.db.now_iso(), user_id),
        )

    async def in_cities(self, cities: Iterable[str]) -> list[Profile]:
        keys = sorted(set(cities))
        if not keys:
            return []
        sql = (
            f"SELECT * FROM delegate_profiles WHERE city IN ({','.join('?' * len(keys))}) "
            "AND visibility != 'none' ORDER BY name COLLATE NOCASE, id"
        )
        async with self.db.conn.execute(sql, keys) as cur:
            return [_profile(r) for r in await cur.fetchall()]

    async def by_member(self, member: str) -> Profile | None:
        sql = "SELECT * FROM delegate_profiles WHERE member = ?"
        async with self.db.conn.execute(sql, (member,)) as cur:
            row = await cur.fetchone()
        return _profile(row) if row else None

    async def claimed_members(self) -> set[str]:
        sql = "SELECT member FROM delegate_profiles WHERE member IS NOT NULL"
        async with self.db.conn.execute(sql) as cur:
            return {r[0] for r in await cur.fetchall()}

    async def count_by_city(self) -> dict[str, int]:
        sql = "SELECT city, count(*) FROM delegate_profiles GROUP BY city"
        async with self.db.conn.execute(sql) as cur:
            return {r[0]: r[1] for r in await cur.fetchall()}

    # ------------------------------------------------------------------ claim links

    async def add_claim(self, token: str, member: str, created_by: int) -> None:
        await self.db.conn.execute(
            "INSERT INTO delegation_claims (token, member, created_by, created_at) "
            "VALUES (?, ?, ?, ?)",
            (token, member, created_by, self.db.now_iso()),
        )

    async def claim(self, token: str) -> str | None:
        """The member of an unused link, else None."""
        sql = "SELECT member FROM delegation_claims WHERE token = ? AND claimed_by IS NULL"
        async with self.db.conn.execute(sql, (token,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def use_claim(self, token: str, user_id: int) -> bool:
        cur = await self.db.conn.execute(
            "UPDATE delegation_claims SET claimed_by = ?, claimed_at = ? "
            "WHERE token = ? AND claimed_by IS NULL",
            (user_id, self.db.now_iso(), token),
        )
        if cur.rowcount != 1:
            return False
        # Other unused links of the same entry are void once it is claimed.
        await self.db.conn.execute(
            "DELETE FROM delegation_claims WHERE claimed_by IS NULL AND member = "
            "(SELECT member FROM delegation_claims WHERE token = ?)",
            (token,),
        )
        return True

    # ------------------------------------------------------------------ meetings

    async def add_meeting(
        self,
        requester: int,
        invitee: int,
        requester_city: str,
        invitee_city: str,
        note: str,
        slots: Sequence[str],
        minutes: int,
    ) -> Meeting:
        now = self.db.now_iso()
        cur = await self.db.conn.execute(
            """INSERT INTO meetings (requester, invitee, requester_city, invitee_city, proposer,
                   note, slots, minutes, status, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)""",
            (
                requester,
                invitee,
                requester_city,
                invitee_city,
                requester,
                note,
                json.dumps(list(slots)),
                minutes,
                now,
                now,
            ),
        )
        found = await self.meeting(int(cur.lastrowid or 0))
        assert found is not None
        return found

    async def meeting(self, meeting_id: int) -> Meeting | None:
        async with self.db.conn.execute(
            "SELECT * FROM meetings WHERE id = ?", (meeting_id,)
        ) as cur:
            row = await cur.fetchone()
        return _meeting(row) if row else None

    async def propose(self, meeting_id: int, proposer: int, slots: Sequence[str]) -> bool:
        cur = await self.db.conn.execute(
            "UPDATE meetings SET proposer = ?, slots = ?, updated_at = ? "
            "WHERE id = ? AND status = 'open' AND proposer != ?",
            (proposer, json.dumps(list(slots)), self.db.now_iso(), meeting_id, proposer),
        )
        return cur.rowcount == 1

    async def accept(self, meeting_id: int, answerer: int, start_at: str) -> bool:
        """Only the side that did not propose, only while open."""
        cur = await self.db.conn.execute(
            "UPDATE meetings SET status = 'accepted', start_at = ?, updated_at = ? "
            "WHERE id = ? AND status = 'open' AND proposer != ? AND (requester = ? OR invitee = ?)",
            (start_at, self.db.now_iso(), meeting_id, answerer, answerer, answerer),
        )
        return cur.rowcount == 1

    async def close(self, meeting_id: int, status: str) -> bool:
        cur = await self.db.conn.execute(
            "UPDATE meetings SET status = ?, updated_at = ? WHERE id = ? AND status IN "
            "('open', 'accepted')",
            (status, self.db.now_iso(), meeting_id),
        )
        return cur.rowcount == 1

    async def meetings_of(
        self, user_id: int, statuses: Sequence[str] = (OPEN, ACCEPTED)
    ) -> list[Meeting]:
        marks = ",".join("?" * len(statuses))
        sql = (
            f"SELECT * FROM meetings WHERE (requester = ? OR invitee = ?) AND status IN ({marks}) "
            "ORDER BY COALESCE(start_at, created_at), id"
        )
        async with self.db.conn.execute(sql, (user_id, user_id, *statuses)) as cur:
            return [_meeting(r) for r in await cur.fetchall()]

    async def open_between(self, a: int, b: int) -> Meeting | None:
        sql = (
            "SELECT * FROM meetings WHERE status = 'open' AND ((requester = ? AND invitee = ?) "
            "OR (requester = ? AND invitee = ?)) ORDER BY id DESC LIMIT 1"
        )
        async with self.db.conn.execute(sql, (a, b, b, a)) as cur:
            row = await cur.fetchone()
        return _meeting(row) if row else None

    async def open_count(self, user_id: int) -> int:
        sql = "SELECT count(*) FROM meetings WHERE requester = ? AND status = 'open'"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def accepted_between(self, since: str, until: str) -> list[Meeting]:
        sql = (
            "SELECT * FROM meetings WHERE status = 'accepted' AND start_at > ? AND start_at <= ? "
            "ORDER BY start_at, id"
        )
        async with self.db.conn.execute(sql, (since, until)) as cur:
            return [_meeting(r) for r in await cur.fetchall()]

    async def counts_by_cities(self) -> list[tuple[str, str, str, int]]:
        """(requester city, invitee city, status, count): no names, no contents."""
        sql = (
            "SELECT requester_city, invitee_city, status, count(*) FROM meetings "
            "GROUP BY requester_city, invitee_city, status"
        )
        async with self.db.conn.execute(sql) as cur:
            return [(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]

    # ------------------------------------------------------------------ blocks

    async def block(self, user_id: int, blocked_id: int) -> None:
        await self.db.conn.execute(
            "INSERT OR IGNORE INTO delegate_blocks (user_id, blocked_id, at) VALUES (?, ?, ?)",
            (user_id, blocked_id, self.db.now_iso()),
        )
        await self.db.conn.execute(
            "UPDATE meetings SET status = 'declined', updated_at = ? WHERE status = 'open' AND "
            "((requester = ? AND invitee = ?) OR (requester = ? AND invitee = ?))",
            (self.db.now_iso(), user_id, blocked_id, blocked_id, user_id),
        )

    async def unblock(self, user_id: int, blocked_id: int) -> None:
        await self.db.conn.execute(
            "DELETE FROM delegate_blocks WHERE user_id = ? AND blocked_id = ?",
            (user_id, blocked_id),
        )

    async def blocked_either(self, a: int, b: int) -> bool:
        sql = (
            "SELECT 1 FROM delegate_blocks WHERE (user_id = ? AND blocked_id = ?) "
            "OR (user_id = ? AND blocked_id = ?)"
        )
        async with self.db.conn.execute(sql, (a, b, b, a)) as cur:
            return await cur.fetchone() is not None

    async def blocked_by_or_of(self, user_id: int) -> set[int]:
        """Everyone this person blocked or was blocked by."""
        sql = (
            "SELECT blocked_id FROM delegate_blocks WHERE user_id = ? "
            "UNION SELECT user_id FROM delegate_blocks WHERE blocked_id = ?"
        )
        async with self.db.conn.execute(sql, (user_id, user_id)) as cur:
            return {r[0] for r in await cur.fetchall()}

    async def blocks_of(self, user_id: int) -> int:
        sql = "SELECT count(*) FROM delegate_blocks WHERE user_id = ?"
        async with self.db.conn.execute(sql, (user_id,)) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    # ------------------------------------------------------------------ privacy

    async def delete_user(self, user_id: int) -> None:
        """/forget: the profile, every meeting with the person and the messages about them
        (the other side's copies too: they hold the person's name and note), their blocks and
        links."""
        await self.db.conn.execute(
            """DELETE FROM deliveries WHERE kind LIKE 'meet-%' AND ref IN (
                   SELECT 'meeting:' || id FROM meetings WHERE requester = ? OR invitee = ?)""",
            (user_id, user_id),
        )
        await self.db.conn.execute("DELETE FROM delegate_profiles WHERE user_id = ?", (user_id,))
        await self.db.conn.execute(
            "DELETE FROM meetings WHERE requester = ? OR invitee = ?", (user_id, user_id)
        )
        await self.db.conn.execute(
            "DELETE FROM delegate_blocks WHERE user_id = ? OR blocked_id = ?", (user_id, user_id)
        )
        await self.db.conn.execute(
            "DELETE FROM delegation_claims WHERE claimed_by = ? OR created_by = ?",
            (user_id, user_id),
        )

    async def personal_data(self, user_id: int) -> dict[str, list[dict[str, object]]]:
        profile = await self.profile_of(user_id)
        meetings = await self.meetings_of(user_id, (OPEN, ACCEPTED, DECLINED, CANCELLED))
        return {
            "delegate_profile": [_plain(profile)] if profile else [],
            "meetings": [
                {
                    "id": m.id,
                    "role": "requester" if m.requester == user_id else "invitee",
                    "status": m.status,
                    "note": m.note if m.requester == user_id else "",
                    "proposed": list(m.slots),
                    "start_at": m.start_at,
                    "minutes": m.minutes,
                }
                for m in meetings
            ],
            "blocked_people": [{"count": await self.blocks_of(user_id)}],
        }


def _plain(profile: Profile) -> dict[str, object]:
    found = {k: getattr(profile, k) for k in Profile.__dataclass_fields__}
    found["areas"] = list(profile.areas)
    found["languages"] = list(profile.languages)
    return found

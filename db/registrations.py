"""Youth meeting registrations: the form's answers, the status and the waiting list."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from db.base import Connection

ACTIVE = ("registered", "checked_in")  # holding a place
# "guardian": a minor's registration waiting for the parent's or guardian's consent; it holds
# no place until then.
STATUSES = ("registered", "guardian", "waiting", "checked_in", "cancelled")


@dataclass(frozen=True, slots=True)
class RegistrationData:
    """What the person typed in the form."""

    full_name: str
    birth_date: str  # ISO date
    country: str  # BY, RU or other
    region: str  # a region's code (BY-MA) or the text typed
    city: str  # a city's code (BY-MA.mogilev) or the text typed
    organization: str
    position: str
    phone: str
    email: str
    answers: dict[str, Any] = field(default_factory=dict)
    guardian_name: str | None = None
    guardian_phone: str | None = None
    guardian_consent: bool = False  # already given (on paper, for bulk imports)


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    id: int
    user_id: int
    status: str
    queue_no: int | None
    full_name: str
    birth_date: str
    country: str
    region: str
    city: str
    organization: str
    position: str
    phone: str
    email: str
    answers: dict[str, Any]
    guardian_name: str | None
    guardian_phone: str | None
    consent_at: str
    guardian_consent_at: str | None
    created_at: str
    updated_at: str
    checked_in_at: str | None
    checked_in_by: int | None
    guardian_token: str | None = None
    guardian_asked_at: str | None = None
    guardian_reminders: int = 0
    guardian_consent_by: int | None = None
    guardian_consent_kind: str | None = None  # telegram, paper, or form (before 2027 links)

    @property
    def number(self) -> str:
        return format_number(self.id)


def format_number(reg_id: int) -> str:
    return f"YM-{reg_id:04d}"


def _row(row: Any) -> RegistrationRow:
    r = dict(row)
    r["answers"] = json.loads(r["answers"] or "{}")
    return RegistrationRow(**r)


def _fields(data: RegistrationData) -> tuple[Any, ...]:
    return (
        data.full_name,
        data.birth_date,
        data.country,
        data.region,
        data.city,
        data.organization,
        data.position,
        data.phone,
        data.email,
        json.dumps(data.answers, ensure_ascii=False),
        data.guardian_name,
        data.guardian_phone,
    )


class RegistrationRepo:
    def __init__(self, db: Connection) -> None:
        self.db = db

    async def _one(self, sql: str, params: tuple[Any, ...]) -> RegistrationRow | None:
        async with self.db.conn.execute(sql, params) as cur:
            row = await cur.fetchone()
        return _row(row) if row else None

    async def by_user(self, user_id: int) -> RegistrationRow | None:
        return await self._one("SELECT * FROM registrations WHERE user_id = ?", (user_id,))

    async def get(self, reg_id: int) -> RegistrationRow | None:
        return await self._one("SELECT * FROM registrations WHERE id = ?", (reg_id,))

    async def count_active(self) -> int:
        sql = "SELECT count(*) FROM registrations WHERE status IN ('registered', 'checked_in')"
        async with self.db.conn.execute(sql) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def create(
        self,
        user_id: int,
        data: RegistrationData,
        status: str,
        now: str | None = None,
        guardian_token: str | None = None,
    ) -> RegistrationRow:
        """A new registration, or a cancelled one of the same account filled in again.

        A minor's registration waiting for the guardian carries the token of the link."""
        now = now or self.db.now_iso()
        guardian_at = now if data.guardian_consent else None
        kind = "paper" if data.guardian_consent else None
        queue = await self._next_queue_no() if status == "waiting" else None
        asked = now if guardian_token else None
        await self.db.conn.execute(
            """INSERT INTO registrations
               (user_id, status, queue_no, full_name, birth_date, country, region, city,
                organization, position, phone, email, answers, guardian_name, guardian_phone,
                consent_at, guardian_consent_at, created_at, updated_at, guardian_token,
                guardian_asked_at, guardian_reminders, guardian_consent_by,
                guardian_consent_kind)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?)
               ON CONFLICT (user_id) DO UPDATE SET
                 status = excluded.status, queue_no = excluded.queue_no,
                 full_name = excluded.full_name, birth_date = excluded.birth_date,
                 country = excluded.country, region = excluded.region, city = excluded.city,
                 organization = excluded.organization, position = excluded.position,
                 phone = excluded.phone, email = excluded.email, answers = excluded.answers,
                 guardian_name = excluded.guardian_name, guardian_phone = excluded.guardian_phone,
                 consent_at = excluded.consent_at,
                 guardian_consent_at = excluded.guardian_consent_at,
                 created_at = excluded.created_at, updated_at = excluded.updated_at,
                 checked_in_at = NULL, checked_in_by = NULL,
                 guardian_token = excluded.guardian_token,
                 guardian_asked_at = excluded.guardian_asked_at, guardian_reminders = 0,
                 guardian_consent_by = NULL,
                 guardian_consent_kind = excluded.guardian_consent_kind
               WHERE registrations.status = 'cancelled'""",
            (
                user_id,
                status,
                queue,
                *_fields(data),
                now,
                guardian_at,
                now,
                now,
                guardian_token,
                asked,
                kind,
            ),
        )
        row = await self.by_user(user_id)
        assert row is not None
        return row

    async def add_many(self, rows: list[tuple[int, RegistrationData, str]]) -> None:
        """Registrations (user id, answers, status) in one statement, in the order given."""
        now = self.db.now_iso()
        await self.db.conn.executemany(
            """INSERT INTO registrations
               (user_id, status, queue_no, full_name, birth_date, country, region, city,
                organization, position, phone, email, answers, guardian_name, guardian_phone,
                consent_at, guardian_consent_at, created_at, updated_at, guardian_consent_kind)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    user_id,
                    status,
                    n if status == "waiting" else None,
                    *_fields(data),
                    now,
                    now if data.guardian_consent else None,
                    now,
                    now,
                    "paper" if data.guardian_consent else None,
                )
                for n, (user_id, data, status) in enumerate(rows, 1)
            ],
        )

    async def update_answers(self, user_id: int, data: RegistrationData) -> None:
        """Changed answers; a guardian's consent stays (the guardian gave it for this person)."""
        await self.db.conn.execute(
            """UPDATE registrations SET full_name = ?, birth_date = ?, country = ?, region = ?,
                 city = ?, organization = ?, position = ?, phone = ?, email = ?, answers = ?,
                 guardian_name = ?, guardian_phone = ?, updated_at = ?
               WHERE user_id = ?""",
            (*_fields(data), self.db.now_iso(), user_id),
        )

    async def set_status(self, reg_id: int, status: str) -> None:
        queue = await self._next_queue_no() if status == "waiting" else None
        await self.db.conn.execute(
            """UPDATE registrations SET status = ?, queue_no = ?, updated_at = ?,
                 guardian_token = CASE WHEN ? = 'guardian' THEN guardian_token END
               WHERE id = ?""",
            (status, queue, self.db.now_iso(), status, reg_id),
        )

    async def ask_guardian(self, reg_id: int, token: str, now: str) -> None:
        """Waiting for the guardian again, with a new link (the old one stops working)."""
        await self.db.conn.execute(
            """UPDATE registrations SET status = 'guardian', queue_no = NULL, guardian_token = ?,
                 guardian_asked_at = ?, guardian_reminders = 0, guardian_consent_at = NULL,
                 guardian_consent_by = NULL, guardian_consent_kind = NULL, updated_at = ?
               WHERE id = ?""",
            (token, now, self.db.now_iso(), reg_id),
        )

    async def by_guardian_token(self, token: str) -> RegistrationRow | None:
        return await self._one("SELECT * FROM registrations WHERE guardian_token = ?", (token,))

    async def record_guardian_consent(self, reg_id: int, by: int, kind: str, now: str) -> None:
        await self.db.conn.execute(
            """UPDATE registrations SET guardian_consent_at = ?, guardian_consent_by = ?,
                 guardian_consent_kind = ?, guardian_token = NULL, updated_at = ?
               WHERE id = ?""",
            (now, by, kind, self.db.now_iso(), reg_id),
        )

    async def guardian_reminded(self, reg_id: int) -> None:
        await self.db.conn.execute(
            "UPDATE registrations SET guardian_reminders = guardian_reminders + 1 WHERE id = ?",
            (reg_id,),
        )

    async def waiting_for_guardian(self) -> list[RegistrationRow]:
        return await self._many(
            "SELECT * FROM registrations WHERE status = 'guardian' ORDER BY id", ()
        )

    async def check_in(self, reg_id: int, by_user: int) -> None:
        now = self.db.now_iso()
        await self.db.conn.execute(
            """UPDATE registrations SET status = 'checked_in', checked_in_at = ?,
               checked_in_by = ?, updated_at = ? WHERE id = ? AND status = 'registered'""",
            (now, by_user, now, reg_id),
        )

    async def _next_queue_no(self) -> int:
        sql = "SELECT coalesce(max(queue_no), 0) + 1 FROM registrations"
        async with self.db.conn.execute(sql) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 1

    async def first_waiting(self) -> RegistrationRow | None:
        return await self._one(
            "SELECT * FROM registrations WHERE status = 'waiting' ORDER BY queue_no, id LIMIT 1",
            (),
        )

    async def waiting_place(self, reg_id: int) -> int:
        """1 for the first on the waiting list."""
        sql = """SELECT count(*) FROM registrations w, registrations me
                 WHERE me.id = ? AND w.status = 'waiting' AND w.queue_no <= me.queue_no"""
        async with self.db.conn.execute(sql, (reg_id,)) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def all(self) -> list[RegistrationRow]:
        return await self._many("SELECT * FROM registrations ORDER BY id", ())

    async def _many(self, sql: str, params: tuple[Any, ...]) -> list[RegistrationRow]:
        async with self.db.conn.execute(sql, params) as cur:
            return [_row(r) for r in await cur.fetchall()]

    async def user_ids(self, statuses: tuple[str, ...], country: str | None = None) -> list[int]:
        marks = ",".join("?" * len(statuses))
        sql = f"SELECT user_id FROM registrations WHERE status IN ({marks})"
        params: tuple[Any, ...] = statuses
        if country is not None:
            sql += " AND country = ?"
            params = (*statuses, country)
        async with self.db.conn.execute(sql + " ORDER BY id", params) as cur:
            return [int(r[0]) for r in await cur.fetchall()]

    async def anonymous(self) -> list[tuple[str, str, str, str]]:
        """(status, country, region, created_day) of forgotten registrations."""
        sql = "SELECT status, country, region, created_day FROM registration_anon"
        async with self.db.conn.execute(sql) as cur:
            return [(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]

    async def delete_user(self, user_id: int) -> None:
        """Forget the person; only an anonymous line for the counts is kept. The caller has
        cancelled the registration first, so that its place went to the waiting list."""
        await self.db.conn.execute(
            """INSERT INTO registration_anon (status, country, region, created_day)
               SELECT 'cancelled', country, region, substr(created_at, 1, 10)
               FROM registrations WHERE user_id = ?""",
            (user_id,),
        )
        await self.db.conn.execute("DELETE FROM registrations WHERE user_id = ?", (user_id,))
        # What they did for others stays, without pointing at them.
        await self.db.conn.execute(
            "UPDATE registrations SET checked_in_by = NULL WHERE checked_in_by = ?", (user_id,)
        )
        await self.db.conn.execute(
            "UPDATE registrations SET guardian_consent_by = NULL WHERE guardian_consent_by = ?",
            (user_id,),
        )

    async def personal_data(self, user_id: int) -> list[dict[str, Any]]:
        row = await self.by_user(user_id)
        if row is None:
            return []
        data = {k: getattr(row, k) for k in row.__dataclass_fields__}
        data["number"] = row.number
        return [data]

"""Users: who talked to the bot, their language, role and settings."""

from __future__ import annotations

from dataclasses import dataclass

from db.base import Connection

ROLES = ("participant", "organizer", "owner")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language: str | None
    telegram_language: str | None
    role: str
    first_seen: str
    last_seen: str
    blocked_at: str | None
    reminder_minutes: int | None
    digest: bool
    muted: bool

    @property
    def is_organizer(self) -> bool:
        return self.role in ("organizer", "owner")

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


def _user(row: object) -> User:
    r = dict(row)  # type: ignore[call-overload]
    r["digest"] = bool(r["digest"])
    r["muted"] = bool(r["muted"])
    return User(**r)


class UserRepo:
    """Users, with the rows of recently active people kept in memory.

    Every update needs its sender's row. Every write to the table goes through this class and
    drops the affected rows from memory, so a read never sees a stale copy; a rolled-back write
    only costs a reload.
    """

    CACHE_SIZE = 20_000

    def __init__(self, db: Connection) -> None:
        self.db = db
        self._cache: dict[int, User] = {}
        db.rollback_listeners.append(self._changed)

    async def get(self, user_id: int) -> User | None:
        cached = self._cache.get(user_id)
        if cached is not None:
            return cached
        async with self.db.conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        if len(self._cache) >= self.CACHE_SIZE:
            self._cache.clear()
        user = self._cache[user_id] = _user(row)
        return user

    def _changed(self, user_id: int | None = None) -> None:
        if user_id is None:
            self._cache.clear()
        else:
            self._cache.pop(user_id, None)

    async def by_username(self, username: str) -> User | None:
        sql = "SELECT * FROM users WHERE lower(username) = lower(?)"
        async with self.db.conn.execute(sql, (username.lstrip("@"),)) as cur:
            row = await cur.fetchone()
        return _user(row) if row else None

    async def upsert_seen(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        telegram_language: str | None,
        role_if_new: str = "participant",
    ) -> User:
        """Create the user or refresh what Telegram says of them; seeing them unblocks them."""
        now = self.db.now_iso()
        await self.db.conn.execute(
            """
            INSERT INTO users (id, first_name, last_name, username, telegram_language, role,
                               first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                first_name = excluded.first_name, last_name = excluded.last_name,
                username = excluded.username, telegram_language = excluded.telegram_language,
                last_seen = excluded.last_seen, blocked_at = NULL
            """,
            (user_id, first_name, last_name, username, telegram_language, role_if_new, now, now),
        )
        self._changed(user_id)
        user = await self.get(user_id)
        assert user is not None
        return user

    async def add_many(self, users: list[tuple[int, str, str | None, str | None]]) -> None:
        """New participants (id, first name, username, Telegram language) in one statement."""
        now = self.db.now_iso()
        await self.db.conn.executemany(
            """INSERT INTO users (id, first_name, username, telegram_language, first_seen,
                                  last_seen)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [(uid, first, username, lang, now, now) for uid, first, username, lang in users],
        )
        self._cache.clear()

    async def set_language(self, user_id: int, language: str | None) -> None:
        await self.db.conn.execute(
            "UPDATE users SET language = ? WHERE id = ?", (language, user_id)
        )
        self._changed(user_id)

    async def set_role(self, user_id: int, role: str) -> None:
        if role not in ROLES:
            raise ValueError(role)
        await self.db.conn.execute("UPDATE users SET role = ? WHERE id = ?", (role, user_id))
        self._changed(user_id)

    async def set_owners(self, owner_ids: frozenset[int]) -> None:
        """Make the configured owners owners, and former owners organizers."""
        marks = ",".join("?" * len(owner_ids)) or "NULL"
        await self.db.conn.execute(
            f"UPDATE users SET role = 'organizer' WHERE role = 'owner' AND id NOT IN ({marks})",
            tuple(owner_ids),
        )
        if owner_ids:
            await self.db.conn.execute(
                f"UPDATE users SET role = 'owner' WHERE id IN ({marks})", tuple(owner_ids)
            )
        self._changed()

    async def set_reminder_minutes(self, user_id: int, minutes: int | None) -> None:
        await self.db.conn.execute(
            "UPDATE users SET reminder_minutes = ? WHERE id = ?", (minutes, user_id)
        )
        self._changed(user_id)

    async def set_flag(self, user_id: int, flag: str, value: bool) -> None:
        if flag not in ("digest", "muted"):
            raise ValueError(flag)
        await self.db.conn.execute(
            f"UPDATE users SET {flag} = ? WHERE id = ?", (int(value), user_id)
        )
        self._changed(user_id)

    async def mark_blocked(self, user_id: int) -> None:
        await self.db.conn.execute(
            "UPDATE users SET blocked_at = ? WHERE id = ? AND blocked_at IS NULL",
            (self.db.now_iso(), user_id),
        )
        self._changed(user_id)

    async def delete(self, user_id: int) -> None:
        """The next update from the person creates a fresh row, as for a newcomer."""
        await self.db.conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
        self._changed(user_id)

    async def with_role(self, *roles: str) -> list[User]:
        marks = ",".join("?" * len(roles))
        sql = f"SELECT * FROM users WHERE role IN ({marks}) ORDER BY id"
        async with self.db.conn.execute(sql, roles) as cur:
            return [_user(r) for r in await cur.fetchall()]

    async def count(self) -> int:
        async with self.db.conn.execute("SELECT count(*) FROM users") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

"""Storage: SQLite schema, migrations and repositories. No Telegram types here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from db.agenda import AgendaRepo
from db.announcements import AnnouncementRepo
from db.audit import AuditRepo
from db.base import Connection, Now, open_connection
from db.delegates import DelegateRepo
from db.deliveries import DeliveryRepo
from db.faq import FaqRepo
from db.fsm import FsmRepo
from db.programs import DraftRepo, EditRepo, ProgramRepo
from db.questions import QuestionRepo
from db.registrations import RegistrationRepo
from db.session_extras import FeedbackRepo, MaterialRepo, PollRepo, SurveyRepo
from db.session_questions import SessionQuestionRepo
from db.team import InviteRepo
from db.users import UserRepo


class Database:
    """The repositories over the process's one connection; callers own the transactions."""

    def __init__(self, connection: Connection, cache_size: int = 5000) -> None:
        """`cache_size`: how many people's user rows and dialogue states stay in memory."""
        self.connection = connection
        self.transaction = connection.transaction
        self.users = UserRepo(connection, cache_size)
        self.programs = ProgramRepo(connection)
        self.drafts = DraftRepo(connection)
        self.edits = EditRepo(connection)
        self.fsm = FsmRepo(connection, cache_size)
        self.deliveries = DeliveryRepo(connection)
        self.agenda = AgendaRepo(connection)
        self.questions = QuestionRepo(connection)
        self.registrations = RegistrationRepo(connection)
        self.announcements = AnnouncementRepo(connection)
        self.audit = AuditRepo(connection)
        self.invites = InviteRepo(connection)
        self.faq = FaqRepo(connection)
        self.delegates = DelegateRepo(connection)
        # In the session (issue 15): questions, polls, feedback, materials.
        self.session_questions = SessionQuestionRepo(connection)
        self.polls = PollRepo(connection)
        self.feedback = FeedbackRepo(connection)
        self.materials = MaterialRepo(connection)
        self.survey = SurveyRepo(connection)

    @classmethod
    async def open(cls, path: Path | str, cache_size: int = 5000) -> Database:
        return cls(await open_connection(path), cache_size)

    def use_clock(self, now: Now) -> None:
        """Stamp rows with the bot's clock (the demo's and the tests' shifted time)."""
        self.connection.now = now

    async def forget_user(self, user_id: int) -> None:
        """Delete what the bot stores about a person (in the caller's transaction)."""
        await self.agenda.delete_user(user_id)
        await self.delegates.delete_user(user_id)
        await self.fsm.delete_user(user_id)
        await self.registrations.delete_user(user_id)
        await self.deliveries.delete_user(user_id)
        await self.questions.delete_user(user_id)
        await self.announcements.forget_author(user_id)
        await self.audit.delete_user(user_id)
        await self.invites.delete_user(user_id)
        await self.faq.forget_author(user_id)
        await self.drafts.delete_user(user_id)
        await self.programs.forget_actor(user_id)
        await self.edits.forget_actor(user_id)
        await self.session_questions.delete_user(user_id)
        await self.polls.delete_user(user_id)
        await self.feedback.delete_user(user_id)
        await self.materials.forget_adder(user_id)
        await self.survey.delete_user(user_id)
        await self.users.delete(user_id)

    async def scrub(self) -> None:
        """After deleting a person: no trace left in the file's free pages or the WAL."""
        await self.connection.checkpoint()

    async def personal_data(self, user_id: int) -> dict[str, list[dict[str, object]]]:
        """Everything stored about a person, by kind (user, agenda, sections, questions,
        registration...), for /mydata. Each feature adds its kind here."""
        found: dict[str, list[dict[str, object]]] = {}
        user = await self.users.get(user_id)
        found["user"] = [dataclasses.asdict(user)] if user else []
        found["agenda"] = [dataclasses.asdict(r) for r in await self.agenda.rows(user_id)]
        found["sections"] = await self.agenda.subscription_rows(user_id)
        found["questions"] = [dataclasses.asdict(q) for q in await self.questions.of_user(user_id)]
        found["registration"] = await self.registrations.personal_data(user_id)
        found.update(await self.delegates.personal_data(user_id))
        found["session_questions"] = [
            dataclasses.asdict(q) for q in await self.session_questions.of_user(user_id)
        ]
        found["question_votes"] = await self.session_questions.votes_of_user(user_id)
        found["poll_answers"] = await self.polls.answers_of_user(user_id)
        found["ratings"] = [dataclasses.asdict(r) for r in await self.feedback.of_user(user_id)]
        found["survey"] = [
            {"question": q, "answer": a} for q, a in (await self.survey.of_user(user_id)).items()
        ]
        found["feedback_off"] = [{"off": True}] if await self.feedback.is_off(user_id) else []
        return found

    async def close(self) -> None:
        await self.connection.close()


__all__ = ["Database"]

"""Wiring of the session's live features (issue 15) into the dispatcher."""

from __future__ import annotations

from aiogram import Dispatcher

from bot.clock import Clock
from bot.scheduler import Scheduler
from bot.services.delivery import DeliveryEngine
from bot.services.feedback import FeedbackService
from bot.services.materials import MaterialService
from bot.services.notify import Notifier
from bot.services.polls import PollService
from bot.services.program import ProgramService
from bot.services.session_questions import QuestionService
from bot.services.survey import SurveyService
from db import Database


def setup(
    dp: Dispatcher,
    db: Database,
    programs: ProgramService,
    clock: Clock,
    notifier: Notifier,
    scheduler: Scheduler,
    engine: DeliveryEngine,
) -> QuestionService:
    """Questions, polls, feedback, materials and the survey in the workflow data; the open
    lists are refreshed, ratings and the survey offered on the scheduler; sent polls are
    recorded by the engine."""
    questions = QuestionService(db, programs, clock, notifier, scheduler)
    polls = PollService(db, programs, notifier, questions)
    feedback = FeedbackService(db, programs, clock, notifier, scheduler)
    materials = MaterialService(db, clock, notifier)
    survey = SurveyService(db, programs, clock, notifier, scheduler)
    dp["session_questions"] = questions
    dp["session_polls"] = polls
    dp["session_feedback"] = feedback
    dp["session_materials"] = materials
    dp["session_survey"] = survey
    engine.sent_hooks.append(polls.on_sent)
    dp.startup.register(questions.start)
    dp.startup.register(feedback.start)
    dp.startup.register(survey.start)
    return questions

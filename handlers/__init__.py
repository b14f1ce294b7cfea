"""The feature routers, in the order they see updates: the catch-alls come last."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    access,
    admin,
    agenda,
    announcements,
    cities,
    delegates,
    delegations_admin,
    fallback,
    guardian,
    inbox,
    members,
    privacy,
    program_edit,
    program_upload,
    questions,
    registration,
    registration_admin,
    schedule,
    sections,
    session_admin,
    session_live,
    settings,
    start,
    team,
)


def routers() -> list[Router]:
    return [
        # First: a command typed while an edit waits for a time or notice ends that wait.
        program_edit.router,
        # Second: its waits end on a command too; its buttons and states are its own.
        session_live.router,  # questions, polls, ratings, materials, survey of a session
        settings.router,
        schedule.router,
        sections.router,
        agenda.router,
        session_admin.router,
        cities.router,  # before start: it handles /start c-<pair> links
        delegates.router,  # before start (/start dm-<token>) and questions (its forms' text)
        delegations_admin.router,
        inbox.router,  # before questions: an organizer typing an answer is not asking
        registration_admin.router,
        registration.router,
        guardian.router,  # /start g-<token>: a parent's consent
        privacy.router,
        members.router,
        admin.router,
        team.router,
        program_upload.router,
        announcements.router,
        start.router,
        questions.router,  # the free-text catch-all, right before access/fallback
        access.router,
        fallback.router,
    ]

"""Feature services wired into the application, in order. Each setup adds its services to the
Dispatcher's workflow data and its hooks to the app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App

FeatureSetup = Callable[["App"], Awaitable[None]]


def feature_setups() -> list[FeatureSetup]:
    from bot.services import agenda, broadcast, program_ops, search
    from bot.services.registration_setup import setup as registration

    return [
        agenda.setup,
        program_ops.setup,  # after agenda: it counts the people a change would tell
        search.setup,
        registration,
        broadcast.setup,
    ]


async def setup_features(app: App) -> None:
    for setup in feature_setups():
        await setup(app)

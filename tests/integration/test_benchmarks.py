"""The benchmarks still drive the real bot: a small update mix runs without a logged error and
completes registrations, and the populated database holds what it claims."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import mix, updates, webhook
from benchmarks.population import FIRST_USER, populate_database
from db import Database


async def test_small_mix_runs_clean_and_registers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mix, "FORM_IN_PROGRESS", 2)  # so that a short run reaches the form's end
    result = await updates.run(400, rounds=1)
    assert result["bot"] > 0 and result["bare"] > 0
    assert result["ratio"] == pytest.approx(result["bot"] / result["bare"])


async def test_webhook_benchmark_handles_every_message_in_both_modes() -> None:
    # The benchmark waits for every update to be handled and refuses rejected requests.
    result = await webhook.run(60, rounds=1)
    assert result["webhook_cpu"] > 0 and result["polling_cpu"] > 0
    assert "webhook" in webhook.report(result)[0][1]


def test_mix_uses_every_kind_and_real_ids() -> None:
    factory = updates.UpdateFactory()
    made = updates.realistic_mix(factory, 600)
    callbacks = [u.callback_query.data for u in made if u.callback_query]
    texts = [u.message.text for u in made if u.message]
    for prefix in ("m:", "dy:", "ss:", "rg:", "sc:"):
        assert any(c.startswith(prefix) for c in callbacks), prefix
    assert "/register" in texts and "/start" in texts
    assert any(c.startswith("ss:") and ":add:" in c for c in callbacks)


async def test_population_through_repositories(tmp_path: Path) -> None:
    path = tmp_path / "pop.sqlite3"
    await populate_database(path, users=50, registrations=20)
    db = await Database.open(path)
    try:
        rows = await db.registrations.all()
        assert len(rows) == 20
        assert {r.user_id for r in rows} == set(range(FIRST_USER, FIRST_USER + 20))
        assert all(r.phone.startswith("+") and "@" in r.email for r in rows)
        assert await db.users.get(FIRST_USER + 49) is not None
        assert await db.users.get(FIRST_USER + 50) is None
    finally:
        await db.close()


async def test_ten_more_routers_take_nothing_meant_for_the_bot() -> None:
    from benchmarks import routers

    result = await routers.run(count=20, rounds=1)
    assert not routers.strays
    assert set(result) == set(routers.KINDS)
    for times in result.values():
        measured = {(0, True), (0, False), (routers.EXTRA, True), (routers.EXTRA, False)}
        assert set(times) == measured | {(-1, True), (-1, False)}
        assert all(t > 0 for t in times.values())
    assert len(routers.report(result)) == len(routers.KINDS)

"""The process benchmark drives both real processes: every update of every simulated person
is answered, by the bot and by the echo bot, and the figures come from those answers."""

from __future__ import annotations

from benchmarks import load


def test_a_tiny_load_run_answers_every_step() -> None:
    result = load.run(users=3, rounds=1, rate=10.0, seconds=1.0)
    for who in ("bot", "bare"):
        assert result[who] > 0  # replies per second of all 3 × 4 steps
        assert result[f"{who}_cpu"] >= 0
        assert 0 < result[f"{who}_p50"] <= result[f"{who}_p95"]
    assert result["ratio"] == result["ratios"][0] == result["bot"] / result["bare"]
    rows = load.report(result)
    assert len(rows) == 2 and "replies/s" in rows[0][0]

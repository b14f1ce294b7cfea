"""LOG_FORMAT=json: one JSON object per line, tracebacks included, for log collectors."""

from __future__ import annotations

import io
import json
import logging

from bot.logs import JsonFormatter


def test_json_lines_carry_level_logger_message_and_the_traceback() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("forum.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("Delivery %d to «%s» failed", 7, "Алеся")
        try:
            raise RuntimeError("boom\nwith a second line")
        except RuntimeError:
            logger.exception("Handler failed")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # a multi-line traceback stays on its line
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "WARNING" and first["logger"] == "forum.test.json"
    assert first["message"] == "Delivery 7 to «Алеся» failed"
    assert first["time"].endswith("+00:00")
    assert second["level"] == "ERROR" and "RuntimeError: boom" in second["exception"]
    assert "Traceback" in second["exception"]

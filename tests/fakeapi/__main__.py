"""Run the fake Bot API server standalone: ``python -m tests.fakeapi --port 8081 --rate 30``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .server import FakeTelegram


def _parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fakeapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--rate", type=int, default=30, help="global sends/s, 0 disables")
    parser.add_argument("--paid-rate", type=int, default=1000)
    parser.add_argument("--chat-rate", type=float, default=None, help="sends/s per chat")
    parser.add_argument("--chat-burst", type=int, default=3)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--drop-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--users", type=int, default=0, help="pre-register N users with ids 1000..1000+N-1"
    )
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    server = FakeTelegram(
        host=args.host,
        port=args.port,
        global_rate=args.rate or None,
        paid_rate=args.paid_rate,
        chat_rate=args.chat_rate,
        chat_burst=args.chat_burst,
        fail_rate=args.fail_rate,
        drop_rate=args.drop_rate,
        seed=args.seed,
    )
    for index in range(args.users):
        server.add_user(id=1000 + index, first_name=f"User{index}")
    await server.start()
    # The benchmark harness reads this line to learn the port.
    print(f"fake telegram listening on {server.base_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_parse_args(argv)))


if __name__ == "__main__":
    main()

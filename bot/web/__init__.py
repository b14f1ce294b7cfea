"""The bot's web server (aiohttp): the webhook, the schedule Mini App and its API, /healthz."""

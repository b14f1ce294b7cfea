# The bot as an image: slim Python, a non-root user, the database on the /data volume.
# Build: docker build -t forum-bot .     Run: see compose.yaml (webhook mode behind Caddy).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md LICENSE ./
COPY bot bot
COPY handlers handlers
COPY db db
COPY locales locales
# The wheel carries the compiled catalogs, the sample programme and the Mini App's files.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_PATH=/data/forum.sqlite3 \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080 \
    LOG_FORMAT=json
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin forum \
    && mkdir -p /data && chown forum:forum /data
USER forum
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# /healthz answers 503 when the database or the delivery queue is in trouble.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"
# SIGTERM (docker stop): updates under way finish, queued messages stay queued.
STOPSIGNAL SIGTERM
ENTRYPOINT ["forum-bot"]
CMD ["run"]

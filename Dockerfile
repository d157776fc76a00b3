# The one image behind web (granian), worker and beat; see docker-compose.yml.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATICFILES_BACKEND=whitenoise.storage.CompressedStaticFilesStorage \
    STATIC_ROOT=/app/staticfiles \
    PORT=8000

RUN useradd --create-home --uid 1000 app
WORKDIR /app

# Dependencies first, so a code change does not reinstall them. Runtime dependencies only,
# no dev extras: CI's `make prod-check` installs the same way and starts web, worker and beat.
COPY pyproject.toml README.md ./
RUN pip install .

COPY --chown=app:app . .
# collectstatic serves no one, so it needs neither a key nor the shared cache
# (peersupport.startup). The files go to STATIC_ROOT outside the data dir: docker-compose.yml mounts a tmpfs or volume over
# /app/.data, which would hide them. The data dir stays app's own for a plain `docker run`,
# and so that a new volume mounted over it starts out owned by app.
RUN python manage.py collectstatic --noinput \
    && chown -R app:app /app/.data

USER app
EXPOSE 8000
# WEB_CONCURRENCY worker processes (about one per core), WEB_THREADS threads each.
# The access log records time, method, status and duration only: no address, no path (a
# path can hold a calendar token or a circle's name) and no query (search terms).
CMD ["sh", "-c", "exec granian --interface wsgi --host 0.0.0.0 --port ${PORT} --workers ${WEB_CONCURRENCY:-2} --blocking-threads ${WEB_THREADS:-2} --respawn-failed-workers --access-log --access-log-fmt '[%(time)s] %(method)s %(status)d %(dt_ms).1fms' peersupport.wsgi:application"]

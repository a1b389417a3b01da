# MatchPlan production image: gunicorn serving Django, static files by WhiteNoise.
# Used by docker-compose.yml (see the README, "Docker").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN groupadd --system --gid 10001 matchplan \
    && useradd --system --uid 10001 --gid matchplan --home-dir /app --no-create-home matchplan

# Dependencies first, so code changes do not reinstall them. psycopg-binary ships its
# own libpq, so no system packages are needed.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY --chown=root:root . .

# Static files are collected into the image (hashed names for WhiteNoise). The key is
# a build-time placeholder only; the real SECRET_KEY comes from the environment at run time.
RUN DEBUG=0 SECRET_KEY=collectstatic-build-placeholder-not-used-at-run-time \
    EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend \
    python manage.py collectstatic --noinput --verbosity 0

# The code is owned by root and read-only for the app user.
USER matchplan

EXPOSE 8000
CMD ["gunicorn", "--config", "docker/gunicorn.conf.py", "config.wsgi"]

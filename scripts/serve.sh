#!/usr/bin/env bash
# `make serve`: the application as production runs it, on this machine. DEBUG off, the
# database of DATABASE_URL (SQLite or PostgreSQL) migrated, static files collected and served
# by WhiteNoise, gunicorn with deploy/gunicorn.conf.py in the foreground and one worker beside
# it (scripts/with-worker.sh stops both, and only them, on exit).
#
# It never invents a SECRET_KEY: without one in the environment or .env it stops and says
# how to make one.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
export DEBUG=False
export GUNICORN_BIND=${GUNICORN_BIND:-127.0.0.1:8000}

# Reads settings as the application does (the environment first, then .env) and prints
# "secret-key-missing" and/or "https-only" when they apply.
problems=$("$PY" - <<'PYTHON'
import environ

environ.Env.read_env(".env", overwrite=False)
env = environ.Env()
if not env.str("SECRET_KEY", default=""):
    print("secret-key-missing")
if env.bool("SECURE_SSL_REDIRECT", default=True) or env.bool("SESSION_COOKIE_SECURE", default=True):
    print("https-only")
PYTHON
)

if [[ $problems == *secret-key-missing* ]]; then
    cat >&2 <<'EOF'
make serve runs with DEBUG off, which needs a SECRET_KEY, and none is set in the environment
or in .env. Make one and put it in .env (which git ignores; never commit a key):

    sed -i "s|^SECRET_KEY=.*|SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')|" .env

or export SECRET_KEY=... before running make serve.
EOF
    exit 1
fi

if [[ $problems == *https-only* ]]; then
    cat >&2 <<EOF
Note: SECURE_SSL_REDIRECT and SESSION_COOKIE_SECURE are on, as production behind a TLS proxy
needs them. Opened over plain http at http://${GUNICORN_BIND}, pages redirect to https and
logging in fails. For a trial on this machine only, set in .env:
    SECURE_SSL_REDIRECT=False
    SESSION_COOKIE_SECURE=False
    CSRF_COOKIE_SECURE=False
EOF
fi

"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput -v0

echo "Serving http://${GUNICORN_BIND} with DEBUG off; Ctrl-C stops the server and its worker."
export WORKER_MAX_TASKS=${WORKER_MAX_TASKS:-50} WORKER_VERBOSITY=${WORKER_VERBOSITY:-1}
exec scripts/with-worker.sh .venv/bin/gunicorn -c deploy/gunicorn.conf.py

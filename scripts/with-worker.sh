#!/usr/bin/env bash
# Usage: scripts/with-worker.sh COMMAND [ARG...]
#
# Runs COMMAND (the web server of `make run` or `make serve`) with one background worker
# beside it, which renders the documents (`manage.py db_worker`, restarted after
# WORKER_MAX_TASKS renders because WeasyPrint keeps its memory). When COMMAND ends, or on
# Ctrl-C or TERM, it stops what it started and nothing else, by process id: the worker loop
# runs in a session of its own, so its process group holds the loop and its current
# db_worker only, and that group is signalled by its id. Other workers on the machine (another
# checkout, CI, production) are never touched.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

PY=${PY:-.venv/bin/python}
max_tasks=${WORKER_MAX_TASKS:-20}
verbosity=${WORKER_VERBOSITY:-0}

# The loop also stops restarting the worker once this script is gone, should it be killed
# before it could clean up.
setsid bash -c '
    while kill -0 "$1" 2>/dev/null; do
        "$2" manage.py db_worker --max-tasks "$3" --no-reload --no-startup-delay -v "$4" || sleep 2
    done' worker-loop "$$" "$PY" "$max_tasks" "$verbosity" &
worker=$!

# In the background (so that a TERM sent to this script is handled at once), but reading
# this terminal, so that a breakpoint() in the development server still works.
"$@" <&0 &
server=$!

stop() {
    trap - EXIT INT TERM
    kill -TERM "$server" 2>/dev/null
    kill -TERM -- "-$worker" 2>/dev/null
    # Reaps the server and the loop (which TERM ends at once); a db_worker still running is
    # then the only member left in the worker's group.
    wait "$server" "$worker" 2>/dev/null
    # An idle worker exits at once; one in the middle of a render finishes it first. Give
    # it a few seconds, then stop it (the document can be issued again).
    for _ in $(seq 1 "${WORKER_STOP_SECONDS:-10}"); do
        kill -0 -- "-$worker" 2>/dev/null || return 0
        sleep 1
    done
    echo "The worker did not stop within ${WORKER_STOP_SECONDS:-10} s; killing it." >&2
    kill -KILL -- "-$worker" 2>/dev/null
    return 0
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop' EXIT

wait "$server"

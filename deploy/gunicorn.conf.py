"""Gunicorn settings for Kết Nghĩa, shared by the systemd unit, `make serve` and CI's smoke test.

    gunicorn -c deploy/gunicorn.conf.py

The GUNICORN_* variables (in the environment or .env, listed in .env.example) adapt it to the
machine; empty means the default.
"""

import os
from pathlib import Path

import environ

# The same .env as the application's settings (`make serve`); real environment variables
# (systemd's EnvironmentFile) win.
environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env", overwrite=False)


def setting(name, default):
    return os.environ.get(name) or default


def cores():
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (cgroups, taskset)
    except AttributeError:
        return os.cpu_count() or 1


wsgi_app = "ketnghia.wsgi:application"
proc_name = "ketnghia"

# nginx (deploy/nginx.conf) talks to this address: loopback unless it runs on another host.
bind = setting("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Synchronous workers: a request is short database work and template rendering (the slowest
# page measures about 0.2 s); PDFs are rendered by the separate worker, never in a request.
workers = int(setting("GUNICORN_WORKERS", 2 * cores() + 1))

# A worker silent for this long is killed and replaced: long enough for the slowest legitimate
# request (previewing a 20,000-row import takes about 10 s), short enough that a stuck worker
# does not hold its slot for minutes. nginx waits a little longer.
timeout = int(setting("GUNICORN_TIMEOUT", 60))
# On TERM (systemctl stop or restart) the requests in flight get this long to finish.
graceful_timeout = int(setting("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5

# Each worker is replaced after about a thousand requests (jittered, so not all at once),
# which bounds the memory a long-lived worker can gather.
max_requests = 1000
max_requests_jitter = 100

# Access log on stdout, errors on stderr (journald keeps both under systemd): the client's
# address as nginx received it, the connection's address, time, request, status, bytes,
# duration in milliseconds, referer and user agent.
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'

# The proxies whose X-Forwarded-Proto gunicorn believes (nginx on the same host). Django decides
# for itself, through USE_X_FORWARDED_PROTO and TRUSTED_PROXY_COUNT.
forwarded_allow_ips = setting("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No control socket: its default path is one per user, so two servers on one machine (a trial
# beside CI's smoke test) would take each other's; systemd's signals control the server.
control_socket_disable = True

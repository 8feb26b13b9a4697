"""gunicorn settings for `make serve` and production, each overridable from the environment."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never take the site down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# The proxy that connects to gunicorn (nginx on this machine by default): gunicorn believes its
# scheme headers (X-Forwarded-Proto), so the app tells https from http. That is all it changes:
# REMOTE_ADDR stays the proxy's address, and the visitor's (rate limits, audit log) is read from
# X-Forwarded-For by TRUSTED_PROXY_COUNT in settings.py, which counts this proxy among its own.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

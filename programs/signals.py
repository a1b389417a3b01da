"""Signals programs sends for the apps built on it."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `manage.py load_demo` once the demo users exist (DEBUG only), with
# users={"admin": ..., "advisor": ..., "applicant": ...}. Other apps add their demo
# relations in a receiver (advising: the demo advisor's review of the applicant's plan), so
# programs imports none of them.
demo_users_ready = Signal()

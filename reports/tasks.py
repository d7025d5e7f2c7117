"""Background work: rendering official documents (WeasyPrint lays out long tables slowly and
keeps its memory; the worker is recycled with `db_worker --max-tasks`)."""

import signal
from contextlib import contextmanager

from django.conf import settings
from django_tasks import task

from .models import IssuedDocument


class RenderTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds):
    """Stop a render that runs longer than ``seconds`` (main thread of a worker only)."""
    try:
        previous = signal.signal(signal.SIGALRM, _alarm)
    except ValueError:  # not the main thread (e.g. a test's live server): no limit
        yield
        return
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _alarm(signum, frame):
    raise RenderTimeout


@task()
def render_document(document_id):
    from . import documents

    document = IssuedDocument.objects.get(pk=document_id)
    document.status = IssuedDocument.Status.RUNNING
    document.save(update_fields=["status"])
    try:
        with time_limit(settings.RENDER_TIME_LIMIT):
            documents.render(document)
    except RenderTimeout:
        document.status = IssuedDocument.Status.FAILED
        document.error = "timeout"
        document.save(update_fields=["status", "error"])
    except Exception as error:
        document.status = IssuedDocument.Status.FAILED
        document.error = type(error).__name__
        document.save(update_fields=["status", "error"])
        raise

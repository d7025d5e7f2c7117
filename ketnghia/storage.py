"""Where uploaded and generated files that must not be public are kept."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Signed scans live outside the static and media URLs: only a permission-checked view
    reads them. The folder is read from settings on each use (tests change it)."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)


_private_storage = PrivateStorage()


def private_storage():
    return _private_storage

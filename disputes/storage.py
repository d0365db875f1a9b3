"""Where case attachments live: PRIVATE_MEDIA_ROOT, never MEDIA_ROOT, and never behind a public URL."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateMediaStorage(FileSystemStorage):
    """A FileSystemStorage rooted at settings.PRIVATE_MEDIA_ROOT, read each time (tests move it).

    Files are only ever served by the attachment view, which checks who is asking; so the
    storage has no URL at all.
    """

    def __init__(self):
        super().__init__()

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Case attachments have no public URL; link to the attachment view instead.")


private_storage = PrivateMediaStorage()

"""The one check every uploaded file goes through, and the random names files are stored under.

A file is judged by its content, never by what the browser or the file name claims: its first
bytes say its type, the type must be one the upload accepts and must agree with the name's
extension, the size is capped, and an image's pixel count is read from its header and capped
before anything is decoded (a 17 KB PNG can claim 12,000 × 12,000 pixels, hundreds of MB once
decoded). Then the image is decoded once, so a truncated or damaged one is refused here rather
than failing later as a server error.

Venue photos and case attachments use it at form level (`UploadField`) and model level
(`upload_check` from a model validator or `clean()`), so the portal, the admin and the
services all go through the same rules.
"""

import uuid
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image

MAX_PIXELS = 40_000_000
# Pillow only warns above MAX_IMAGE_PIXELS and raises above twice that; its default (89 million)
# lets a 144-megapixel PNG through with a warning. Our own check below refuses anything over
# MAX_PIXELS from the header; this makes Pillow itself refuse the worst anywhere else it opens one.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class FileType:
    label: Promise
    content_type: str
    extensions: tuple[str, ...]  # the first is the one stored files get
    pillow_format: str | None = None  # None: not an image

    @property
    def extension(self) -> str:
        return self.extensions[0]


JPEG = FileType(_("JPEG image"), "image/jpeg", (".jpg", ".jpeg"), "JPEG")
PNG = FileType(_("PNG image"), "image/png", (".png",), "PNG")
WEBP = FileType(_("WebP image"), "image/webp", (".webp",), "WEBP")
PDF = FileType(_("PDF document"), "application/pdf", (".pdf",))
FILE_TYPES = {file_type.content_type: file_type for file_type in (JPEG, PNG, WEBP, PDF)}


def type_of_content(head: bytes) -> FileType | None:
    """The type the first bytes of a file announce (magic numbers), or None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def type_of_file(file) -> FileType | None:
    """The type of an open file (an upload or a FieldFile) by its first bytes; the position is kept at 0."""
    file.seek(0)
    try:
        return type_of_content(file.read(16))
    finally:
        file.seek(0)


@dataclass(frozen=True)
class UploadRule:
    """What one kind of upload accepts; `code` prefixes the error codes (photo_format, attachment_too_big...)."""

    code: str
    noun: Promise  # "photo", "attachment": the message's word for it
    accepted: Promise  # what may be uploaded, as the refusal says it
    types: tuple[FileType, ...]
    max_bytes_setting: str

    @property
    def max_bytes(self) -> int:
        return getattr(settings, self.max_bytes_setting)

    @property
    def accept_attribute(self) -> str:
        """The file input's `accept`: the browser's picker offers these types first."""
        return ",".join(file_type.content_type for file_type in self.types)


PHOTO = UploadRule("photo", _("a photo"), _("a JPEG, PNG or WebP photo"), (JPEG, PNG, WEBP), "PHOTO_MAX_BYTES")
ATTACHMENT = UploadRule(
    "attachment",
    _("an attachment"),
    _("a PDF file or a JPEG, PNG or WebP image"),
    (PDF, JPEG, PNG, WEBP),
    "ATTACHMENT_MAX_BYTES",
)


def upload_check(upload, *, rule: UploadRule) -> FileType:
    """The type of `upload` judged by its content, or a ValidationError that names the file and says why.

    Cheapest first: the size, the first bytes, the name, the pixel count from the header; only
    then is an image decoded (at 1/8 scale for a JPEG, which still reads all its data).
    """
    name = PurePath(upload.name or "").name
    _check_size(upload, name, rule)
    file_type = type_of_file(upload)
    if file_type not in rule.types:
        raise ValidationError(
            _("“%(name)s” is not %(accepted)s (judged by its content, not its name)."),
            params={"name": name, "accepted": rule.accepted},
            code=f"{rule.code}_format",
        )
    _check_name(name, file_type, rule)
    if file_type.pillow_format:
        _check_image(upload, name, file_type, rule)
    return file_type


def _check_size(upload, name: str, rule: UploadRule) -> None:
    if upload.size > rule.max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size).1f MB; %(noun)s may be at most %(limit)d MB."),
            params={
                "name": name,
                "size": upload.size / 1024 / 1024,
                "noun": rule.noun,
                "limit": rule.max_bytes // 1024 // 1024,
            },
            code=f"{rule.code}_too_big",
        )


def _check_name(name: str, file_type: FileType, rule: UploadRule) -> None:
    # A name that lies about the content is refused: the file is offered back under its name,
    # and an ".html" that is really a PDF (or the reverse) must never be opened as the other.
    if PurePath(name).suffix.lower() not in file_type.extensions:
        raise ValidationError(
            _("The name “%(name)s” does not match its content, a %(type)s: the name should end in %(extension)s."),
            params={"name": name, "type": file_type.label, "extension": " / ".join(file_type.extensions)},
            code=f"{rule.code}_name",
        )


def _check_image(upload, name: str, file_type: FileType, rule: UploadRule) -> None:
    too_many_pixels = ValidationError(
        _("“%(name)s” has too many pixels: at most %(limit)d megapixels are allowed."),
        params={"name": name, "limit": MAX_PIXELS // 1_000_000},
        code=f"{rule.code}_pixels",
    )
    upload.seek(0)
    try:
        with Image.open(upload, formats=[file_type.pillow_format]) as image:  # reads the header only
            if image.width * image.height > MAX_PIXELS:
                raise too_many_pixels
            image.draft(None, (1, 1))  # JPEG: decode at 1/8 scale; other formats ignore it
            image.load()
    except Image.DecompressionBombError:
        raise too_many_pixels
    except ValidationError:
        raise
    except Exception:  # whatever a damaged file makes a decoder raise, the answer to the user is the same
        raise ValidationError(
            _("“%(name)s” is damaged or incomplete: the image cannot be read. Save or export it again and retry."),
            params={"name": name},
            code=f"{rule.code}_damaged",
        )
    finally:
        upload.seek(0)


def random_file_name(file_type: FileType | None) -> str:
    """A name nobody can guess or read anything from, with the extension of the type the content has."""
    return uuid.uuid4().hex + (file_type.extension if file_type else ".bin")


def random_path(folder: str, file_type: FileType | None) -> str:
    """`folder/YYYY/MM/<random><extension>`: where a stored upload goes (an upload_to's answer)."""
    return f"{folder}/{timezone.localdate():%Y/%m}/{random_file_name(file_type)}"


class UploadField(forms.FileField):
    """A file input whose new uploads must pass `upload_check(rule=...)`.

    Used instead of Django's ImageField, which opens any format Pillow knows and speaks of its own.
    """

    def __init__(self, *, rule: UploadRule, **kwargs):
        self.rule = rule
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": rule.accept_attribute}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):  # a new upload, not the stored file kept as it was
            upload_check(value, rule=self.rule)
        return value

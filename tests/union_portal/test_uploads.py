"""The one upload check (union_portal.uploads): type by content agreeing with the name, size, pixels, damage."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageFile

from tests.upload_samples import PDF, good_photo_17kb, photo_bytes, png_bomb, truncated_jpeg
from union_portal import uploads
from union_portal.uploads import ATTACHMENT, JPEG, MAX_PIXELS, PHOTO, PNG, WEBP, upload_check
from union_portal.uploads import PDF as PDF_TYPE


def refusal(name: str, content: bytes, rule=PHOTO) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        upload_check(SimpleUploadedFile(name, content), rule=rule)
    return caught.value


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("门口.jpg", good_photo_17kb(), JPEG),
        ("IMG_0001.JPEG", photo_bytes("JPEG"), JPEG),
        ("front.png", photo_bytes("PNG"), PNG),
        ("hall.webp", photo_bytes("WEBP"), WEBP),
    ],
)
def test_a_good_photo_passes_with_the_type_of_its_content(name, content, expected):
    upload = SimpleUploadedFile(name, content)
    assert upload_check(upload, rule=PHOTO) is expected
    assert upload.tell() == 0  # left ready to be saved


def test_a_pdf_and_an_image_pass_as_attachments():
    assert upload_check(SimpleUploadedFile("调解协议.pdf", PDF), rule=ATTACHMENT) is PDF_TYPE
    assert upload_check(SimpleUploadedFile("receipt.jpg", photo_bytes()), rule=ATTACHMENT) is JPEG


def test_pillow_refuses_above_our_limit_rather_than_warning():
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS


def test_a_17_kb_png_of_12000_by_12000_pixels_is_refused_from_its_header(monkeypatch):
    bomb = png_bomb(12_000, 12_000)
    assert len(bomb) < 20_000
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: pytest.fail("the bomb was decoded"))

    error = refusal("平面图.png", bomb)

    assert error.code == "photo_pixels"
    assert "平面图.png" in error.messages[0]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_just_over_the_limit_is_refused_although_pillow_would_only_warn(monkeypatch):
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: pytest.fail("decoded"))
    assert refusal("wide.png", png_bomb(8_000, 6_000)).code == "photo_pixels"  # 48 megapixels
    assert refusal("wide.png", png_bomb(8_000, 6_000), rule=ATTACHMENT).code == "attachment_pixels"


def test_a_truncated_jpeg_is_refused_as_damaged_not_a_server_error():
    error = refusal("half.jpg", truncated_jpeg())
    assert error.code == "photo_damaged"
    assert "half.jpg" in error.messages[0]


@pytest.mark.parametrize(
    ("name", "content", "rule", "code"),
    [
        ("photo.jpg", photo_bytes("PNG"), PHOTO, "photo_name"),
        ("photo.png", photo_bytes("JPEG"), ATTACHMENT, "attachment_name"),
        ("page.html", PDF, ATTACHMENT, "attachment_name"),
        ("report", PDF, ATTACHMENT, "attachment_name"),
        ("plan.pdf", PDF, PHOTO, "photo_format"),
        ("anim.gif", photo_bytes("GIF"), PHOTO, "photo_format"),
        ("page.png", b"<svg onload=alert(1)>", ATTACHMENT, "attachment_format"),
        ("notes.jpg", "只是一段文字".encode() * 10, PHOTO, "photo_format"),
    ],
    ids=["png named jpg", "jpeg named png", "html that is a pdf", "no extension", "pdf as photo", "gif", "svg", "text"],
)
def test_a_file_whose_content_or_name_is_wrong_is_refused_naming_it(name, content, rule, code):
    error = refusal(name, content, rule)
    assert error.code == code
    assert name in error.messages[0]


def test_a_name_that_lies_is_told_what_it_should_end_in():
    with translation.override("en"):
        message = refusal("page.html", PDF, ATTACHMENT).messages[0]
    assert message == "The name “page.html” does not match its content, a PDF document: the name should end in .pdf."


def test_an_oversized_file_is_refused_before_it_is_read(settings, monkeypatch):
    settings.PHOTO_MAX_BYTES = 1024 * 1024
    monkeypatch.setattr(uploads, "type_of_file", lambda file: pytest.fail("read"))
    with translation.override("en"):
        error = refusal("big.jpg", b"\xff\xd8\xff" + b"\0" * (2 * 1024 * 1024))
        assert error.messages[0] == "“big.jpg” is 2.0 MB; a photo may be at most 1 MB."
    assert error.code == "photo_too_big"


def test_stored_names_are_random_with_the_extension_of_the_content():
    names = {uploads.random_path("venues", PNG) for _ in range(50)}
    assert len(names) == 50
    assert all(name.startswith("venues/") and name.endswith(".png") for name in names)
    assert uploads.random_file_name(None).endswith(".bin")  # unknown content is never served as something else


def test_the_upload_field_checks_new_files_only():
    field = uploads.UploadField(rule=PHOTO)
    with pytest.raises(ValidationError) as caught:
        field.clean(SimpleUploadedFile("photo.jpg", photo_bytes("PNG")))
    assert caught.value.error_list[0].code == "photo_name"
    assert field.clean(None, initial="venues/2026/01/stored.png") == "venues/2026/01/stored.png"
    assert 'accept="image/jpeg,image/png,image/webp"' in field.widget.render("photo", None)

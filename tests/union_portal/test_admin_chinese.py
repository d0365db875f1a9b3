"""The admin speaks Chinese too (issue 9): every label of every page a district admin opens, and the portal's look.

Visible text only (text nodes, button values, placeholders, titles): an English word of three letters or more there
is a msgid without its translation, a model without verbose_name, or a third-party app's string missing in zh-Hans.
"""

import contextlib
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from disputes.models import ClaimKind, HandlingBody
from disputes.services import case_open
from stations import demo as stations_demo
from stations.models import Amenity, Venue
from tests.disputes.factories import id_number
from tests.factories import EnterpriseFactory, make_staff
from union_portal import demo as core_demo
from union_portal.access import Role
from union_portal.models import Enterprise, Sequence

# Words that are not English prose: file formats, names of keys and protocols that stay Latin in Chinese text too
# (Django's own zh-Hans: "按住 Control 键或 Mac 上的 Command 键", "单一登入或LDAP").
KNOWN_TOKENS = {"xlsx", "csv", "xls", "tsv", "json", "html", "ods", "PDF", "URL", "HTTP", "GET", "POST"}
KNOWN_TOKENS |= {"Control", "Command", "Mac", "LDAP", "SHA"}
# Latin text the admin shows that no catalogue can translate, and why: Django's boolean icons say alt="True" /
# "False" / "None" (django.contrib.admin.templatetags.admin_list, not translated); django-axes names its records
# with f-strings ("Access Log for admin @ 2018-…") and writes "<unknown>" for a missing user agent or path.
UNTRANSLATABLE = re.compile(r'alt="(True|False|None)"|Access (Log|Attempt|Failure Log)? ?for [^"<]*|&lt;unknown&gt;')
WORD = re.compile(r"(?<![A-Za-z0-9_./@:-])[A-Za-z]{3,}(?![A-Za-z0-9_./@-])")
INVISIBLE = {"script", "style", "template", "noscript"}


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in INVISIBLE:
            self.hidden += 1
        if tag == "input" and attrs.get("type") in {"submit", "button", "reset"} and attrs.get("value"):
            self.parts.append(attrs["value"])
        for name in ("placeholder", "title", "aria-label", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in INVISIBLE:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def english_words(html: str, data_words: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(UNTRANSLATABLE.sub("", html))
    words = set(WORD.findall(" ".join(parser.parts)))
    return {word for word in words if word not in KNOWN_TOKENS and word.lower() not in data_words}


class Quiet:
    def write(self, text):
        pass


@pytest.fixture
def superuser(db):
    """A superuser in the demo district with its venues and one case: every list has rows to show (the whole demo,
    with 30,000 cases, would take minutes and show the same labels)."""
    district = core_demo.load_district()
    stations_demo.load(district, Quiet())
    user = make_staff(Role.DISTRICT_ADMIN, username="chinese_admin")
    user.is_staff = user.is_superuser = True
    user.first_name, user.last_name = "洁", "侯"
    user.save()
    town = district.towns.order_by("order").first()
    case_open(
        town=town,
        handling_body=HandlingBody.CENTRE,
        employer=EnterpriseFactory(town=town),
        workers=[{"name": "王建国", "id_number": id_number(901), "phone": "13800138000"}],
        by=user,
        claim_kinds=ClaimKind.objects.filter(code="wage_arrears"),
    )
    return user


def data_words() -> set[str]:
    """Latin words that are data, not labels: usernames, amenity codes, sequence keys, names of employers (MBP软件…)."""
    texts = [
        *get_user_model().objects.values_list("username", flat=True),
        *Amenity.objects.values_list("code", flat=True),
        *Sequence.objects.values_list("key", flat=True),
        *Enterprise.objects.filter(name__regex=r"[A-Za-z]{3}").values_list("name", flat=True),
        *Venue.objects.filter(name__regex=r"[A-Za-z]{3}").values_list("name", flat=True),
    ]
    return {word.lower() for text in texts for word in re.findall(r"[A-Za-z]{3,}", text)}


def admin_pages():
    """The index, and for every registered model its changelist and (where the admin offers one) its add page."""
    yield "index", reverse("admin:index")
    for model in admin.site._registry:
        meta = model._meta
        yield f"{meta.label} list", reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        with contextlib.suppress(NoReverseMatch):
            yield f"{meta.label} add", reverse(f"admin:{meta.app_label}_{meta.model_name}_add")


def test_every_admin_page_a_district_admin_opens_is_in_chinese(client, superuser):
    client.force_login(superuser)
    known = data_words()
    english = {}
    for name, url in admin_pages():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US")
        if response.status_code == 403:  # an admin that offers no add page
            continue
        assert response.status_code == 200, f"{name}: {url} answered {response.status_code}"
        words = english_words(response.content.decode(), known)
        if words:
            english[f"{name} ({url})"] = sorted(words)
    assert not english, "English on admin pages:\n" + "\n".join(f"{page}: {words}" for page, words in english.items())


@pytest.fixture
def admin_client(client, district_admin):
    district_admin.is_staff = district_admin.is_superuser = True
    district_admin.first_name, district_admin.last_name = "洁", "侯"
    district_admin.save()
    client.force_login(district_admin)
    return client


def test_the_admin_wears_the_portal_brand_and_colours(admin_client, district):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert f'data-testid="admin-brand">{district.name}总工会 · ' in page
    assert "/static/css/admin.css" in page
    assert "<strong>侯洁</strong>" in page  # the welcome names the admin family name first


def test_the_admin_index_hides_the_number_counters_which_a_superuser_still_reaches(admin_client):
    url = reverse("admin:union_portal_sequence_changelist")
    assert url not in admin_client.get(reverse("admin:index")).content.decode()
    assert url not in admin_client.get(reverse("admin:app_list", args=["union_portal"])).content.decode()
    assert admin_client.get(url).status_code == 200


def test_permissions_are_listed_in_chinese_on_the_group_page(admin_client):
    page = admin_client.get(reverse("admin:auth_group_add")).content.decode()
    assert "Can add" not in page and "Can change" not in page

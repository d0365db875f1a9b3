"""The portal's form renderer writes what Django's widget templates write, character for character.

`PortalFormRenderer` (union_portal/form_renderer.py) writes the select, input and textarea templates in Python;
every page of the portal must come out the same as with Django's own renderer.
"""

import contextlib
import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from tests.union_portal import test_every_url as every_url
from tests.union_portal.test_every_url import no_role, world  # noqa: F401 (fixtures)
from union_portal import form_renderer
from union_portal.form_renderer import PortalFormRenderer

DJANGO = DjangoTemplates()
PORTAL = PortalFormRenderer()

CHOICES = [
    ("", "全部"),
    (1, "兴丰街道"),
    ("a&b", 'quote " and <tag>'),
    ("safe", mark_safe("<b>safe</b>")),
    (2018, 2018),
    (Decimal("1.50"), gettext_lazy("town")),
    (
        gettext_lazy("status"),
        [("open", "受理中"), ("closed", "已结案"), (None, "none")],
    ),
]


def widgets():
    attrs = {"id": "id_x", "class": "form-select", "required": True, "disabled": False, "data-none": None}
    yield forms.Select(choices=CHOICES), [None, "", 1, "1", "a&b", "open", 2018, Decimal("1.50")], attrs
    yield forms.SelectMultiple(choices=CHOICES), [None, [], ["1", "open"], [1, "closed", "safe"]], attrs
    yield forms.NullBooleanSelect(), [None, True, False, "unknown"], attrs
    yield forms.Select(choices=[]), [None], {}
    yield forms.Select(choices=[(("a", "b"), "tuple value")]), [None, ("a", "b")], {}
    for widget in (forms.TextInput(), forms.NumberInput(), forms.EmailInput(), forms.URLInput(), forms.HiddenInput()):
        yield widget, [None, "", "张伟", 'a"b<c>&', mark_safe("<i>x</i>"), 0, 12.5, Decimal("3.10")], attrs
    yield forms.PasswordInput(render_value=True), [None, "secret"], attrs
    yield forms.DateInput(attrs={"type": "date"}), [None, datetime.date(2026, 12, 1), "2026-12-01"], attrs
    yield forms.CheckboxInput(), [None, True, False, "on"], {"id": "id_c", "class": "form-check-input"}
    yield forms.Textarea(), [None, "", "第一行\n<第二行>", mark_safe("<b>x</b>")], {"id": "id_t", "rows": 3}
    yield forms.ClearableFileInput(), [None], {"id": "id_f"}


@pytest.mark.parametrize(("widget", "values", "attrs"), list(widgets()), ids=lambda v: type(v).__name__)
def test_each_widget_comes_out_as_djangos_templates_write_it(widget, values, attrs):
    for value in values:
        for given in (attrs, None):
            django = widget.render("x", value, attrs=given, renderer=DJANGO)
            assert widget.render("x", value, attrs=given, renderer=PORTAL) == django, (type(widget).__name__, value)


def test_the_commonest_widgets_are_written_in_python():
    written = PORTAL.writers
    assert form_renderer.SELECT in written and form_renderer.TEXTAREA in written
    assert set(form_renderer.INPUTS) <= set(written)


def test_every_input_template_it_writes_only_includes_djangos_input():
    for name in form_renderer.INPUTS:
        source = DJANGO.get_template(name).template.source
        assert source.strip() == '{% include "django/forms/widgets/input.html" %}', name


def test_a_select_whose_options_have_their_own_template_is_left_to_djangos_templates(monkeypatch):
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    widget = Marked(choices=[("1", "一")])
    assert widget.render("x", "1", renderer=PORTAL) == widget.render("x", "1", renderer=DJANGO)
    assert "<option" not in widget.render("x", "1", renderer=PORTAL)


def test_the_settings_choose_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), PortalFormRenderer)


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def body(response) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())


@pytest.mark.django_db
def test_every_page_comes_out_the_same_as_with_djangos_renderer(request, client, district_admin, settings, monkeypatch):
    """Every page of the every-URL table that district admin may open, its GET and its refused POST (a form with
    its errors), rendered by both renderers."""
    probed = request.getfixturevalue("world")
    written = []
    for _name, write in list(PortalFormRenderer().writers.items()):
        monkeypatch.setitem(form_renderer.__dict__, write.__name__, _counting(write, written))
    client.force_login(district_admin)
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # pages that show the time of the request
    compared = 0
    for key, probes in every_url.URLS.items():
        for probe in probes:
            if probe.expect.get("district_admin") != 200:
                continue
            url = probe.url(probed)
            settings.FORM_RENDERER = "union_portal.form_renderer.PortalFormRenderer"
            ours = getattr(client, probe.method)(url, probe.data)
            settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
            djangos = getattr(client, probe.method)(url, probe.data)
            if not ours["Content-Type"].startswith("text/html"):
                continue
            assert body(ours) == body(djangos), f"{probe.method.upper()} {url} ({key}) differs"
            compared += 1
    pages, compared = compared, 0
    district_admin.is_staff = district_admin.is_superuser = True  # the admin site's account, as it is set up
    district_admin.save()
    client.force_login(district_admin)
    settings.FORM_RENDERER = "union_portal.form_renderer.PortalFormRenderer"
    for url in admin_pages():
        ours = client.get(url)
        settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
        djangos = client.get(url)
        settings.FORM_RENDERER = "union_portal.form_renderer.PortalFormRenderer"
        if ours.status_code == 200:
            assert body(ours) == body(djangos), f"GET {url} differs"
            compared += 1
    print(f"compared {pages} portal pages, {compared} admin pages, {len(written)} widgets written")
    assert pages > 100 and compared > 20
    assert len(written) > 1000  # the pages' widgets went through the Python writers


def admin_pages() -> list[str]:
    """The add page and the changelist of every model of the staff admin site."""
    from django.contrib.admin import site
    from django.urls import NoReverseMatch, reverse

    pages = []
    for model in site._registry:
        for view in ("add", "changelist"):
            with contextlib.suppress(NoReverseMatch):
                pages.append(reverse(f"{site.name}:{model._meta.app_label}_{model._meta.model_name}_{view}"))
    return pages


def _counting(write, calls):
    def counted(widget):
        calls.append(widget["name"])
        return write(widget)

    return counted

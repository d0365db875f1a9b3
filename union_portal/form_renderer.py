"""The portal's form renderer: Django's widget templates, with the commonest ones written out in Python.

Django renders a widget through its templates: a <select> is one template for the select, one per option and one
for each element's attributes. A staff list's filter bar renders its selects (towns, statuses, handling bodies, …)
and inputs on every view, and on the case list that was a fifth of the page's time. `PortalFormRenderer` writes the
same characters as Django's templates for `select.html` (with `select_option.html` options), the input templates
that only include `input.html`, and `textarea.html`, and hands every other template to Django's, as it does any of
those that an app or the project overrides. tests/union_portal/test_form_renderer.py renders every field of the
portal's forms and filters both ways and compares the strings.
"""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeData

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
# The templates whose whole text is `{% include "django/forms/widgets/input.html" %}`.
INPUT_KINDS = ["checkbox", "color", "date", "datetime", "email", "file", "hidden"]
INPUT_KINDS += ["number", "password", "search", "tel", "text", "time", "url"]
INPUTS = [f"django/forms/widgets/{kind}.html" for kind in INPUT_KINDS]


class _WidgetContext:
    """What `render_value_in_context` reads of the context Django renders a widget's template in."""

    autoescape = True
    use_l10n = None
    use_tz = None


_CONTEXT = _WidgetContext()


def _shown(value) -> str:
    """`{{ value }}`."""
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: the value's text (a tuple's too: the filter formats `str(value)` then),
    escaped unless the value was safe (the filter is_safe)."""
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs: dict) -> str:
    """`attrs.html`: ` name="value"` for each attribute, ` name` for True, nothing for False."""
    return "".join(
        f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _textarea(widget: dict) -> str:
    value = _shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(widget: dict) -> str | None:
    """`select.html`; None when an option has a template of its own (Django's templates render it then)."""
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class PortalFormRenderer(DjangoTemplates):
    """Django's `DjangoTemplates` renderer, writing the templates above in Python while they are Django's own."""

    @cached_property
    def writers(self) -> dict:
        written = {SELECT: _select, TEXTAREA: _textarea, **dict.fromkeys(INPUTS, _input)}
        return {name: write for name, write in written.items() if self._is_djangos(name)}

    def _is_djangos(self, template_name: str) -> bool:
        """Whether `template_name` resolves to Django's own file (an app's or the project's copy would win)."""
        own = self.engine.engine.dirs[0]
        names = [template_name] + ([OPTION] if template_name == SELECT else [])
        names += ["django/forms/widgets/input.html", "django/forms/widgets/attrs.html"]
        return all(self.get_template(name).origin.name.startswith(str(own)) for name in names)

    def render(self, template_name, context, request=None):
        write = self.writers.get(template_name)
        html = write(context["widget"]) if write is not None and "widget" in context else None
        if html is None:
            return super().render(template_name, context, request=request)
        return html

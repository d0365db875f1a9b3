"""Submit a form exactly as its rendered HTML holds it, the way a browser does.

Tests that build a POST from the view's context send what the view *meant* to render; a browser sends
what the page *holds*. The two differ when a template leaves something out (a formset's management
form, a CSRF token, `enctype` on a form with a file input), and only the second shows it. So:

    page = client.get(url)
    response = submit(client, page, "#case-form", fill={"facts": "欠薪三个月"}, button="save-case")

`submit` parses the page with the standard library's html.parser, collects what a browser would send
(successful controls of the HTML form-submission algorithm), applies `fill` as a user would type, tick or
choose (a name not in the form is an error: a renamed field fails loudly), and posts it with the same
client to the form's action, returning the response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile

TEXT_LIKE = {
    "text", "hidden", "number", "date", "email", "tel", "password", "search", "url", "time",
    "datetime-local", "month", "week", "color", "range",
}  # fmt: skip
BUTTON_TYPES = {"submit", "image"}
IGNORED_TYPES = {"reset", "button"}
MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"
FORMSET_ROW = re.compile(r"^(?P<prefix>.+)-\d+-[^-]+$")


@dataclass
class Control:
    """One form control as rendered: `kind` is the input type, or "select", "textarea", "button"."""

    tag: str
    kind: str
    name: str
    value: str = ""
    checked: bool = False
    disabled: bool = False
    multiple: bool = False
    size: int = 0
    attrs: dict = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    text: str = ""  # a button's or textarea's content
    label: str = ""  # the text of its <label for=...>

    @property
    def is_button(self) -> bool:
        return self.kind in BUTTON_TYPES

    @property
    def sends(self) -> bool:
        """Whether the control can be part of what is sent (a plain or reset button never is)."""
        return bool(self.name) and not self.disabled and self.kind not in IGNORED_TYPES


@dataclass
class Option:
    value: str
    label: str
    selected: bool
    disabled: bool


@dataclass
class HtmlForm:
    """A <form> of the page: its attributes and its controls, in document order."""

    attrs: dict
    page_url: str
    controls: list[Control] = field(default_factory=list)

    @property
    def method(self) -> str:
        method = self.attrs.get("method", "get").lower()
        return method if method in ("get", "post") else "get"

    @property
    def enctype(self) -> str:
        enctype = self.attrs.get("enctype", URLENCODED).lower()
        return enctype if enctype in (MULTIPART, URLENCODED, "text/plain") else URLENCODED

    @property
    def action(self) -> str:
        """The URL the form is sent to (an empty or missing action: the page's own URL)."""
        return urljoin(self.page_url, self.attrs.get("action", "").strip() or self.page_url)

    @property
    def names(self) -> set[str]:
        """Every name a user could send, ticked or not (disabled controls and buttons excepted)."""
        return {c.name for c in self.controls if c.sends and not c.is_button}

    @property
    def buttons(self) -> list[Control]:
        return [c for c in self.controls if c.is_button and not c.disabled]

    def fields(self, name: str) -> list[Control]:
        return [c for c in self.controls if c.name == name and c.sends and not c.is_button]

    def data(self) -> list[tuple[str, str]]:
        """The (name, value) pairs a browser sends as the form stands (no button, no files)."""
        pairs = []
        for control in self.controls:
            if not control.sends or control.is_button or control.kind == "file":
                continue
            if control.kind in ("checkbox", "radio"):
                if control.checked:
                    pairs.append((control.name, control.value))
            elif control.kind == "select":
                pairs.extend((control.name, option.value) for option in selected_options(control))
            else:
                pairs.append((control.name, control.value))
        return [(name, crlf(value)) for name, value in pairs]

    def values(self) -> dict[str, list[str]]:
        return _grouped(self.data())

    def management_form_prefixes(self) -> set[str]:
        return {name.removesuffix("-TOTAL_FORMS") for name in self.names if name.endswith("-TOTAL_FORMS")}

    def check_formsets(self):
        """A formset row posted without its management form cannot be saved: fail, naming the formset."""
        rows = {m["prefix"] for name in self.names if (m := FORMSET_ROW.match(name)) and "__prefix__" not in name}
        missing = sorted(
            prefix for prefix in rows if not {f"{prefix}-TOTAL_FORMS", f"{prefix}-INITIAL_FORMS"} <= self.names
        )
        assert not missing, f"formset rows without their management form in the HTML: {missing}"

    def describe(self) -> str:
        shown = " ".join(f'{key}="{value}"' for key, value in self.attrs.items())
        return f"<form {shown}>"


def selected_options(control: Control) -> list[Option]:
    chosen = [option for option in control.options if option.selected and not option.disabled]
    if control.multiple:
        return chosen
    if chosen:
        return chosen[-1:]  # several `selected` on a single select: the last one wins
    if control.size > 1:
        return []  # a list box with nothing selected sends nothing
    return [option for option in control.options if not option.disabled][:1]


def crlf(value: str) -> str:
    """Browsers send every line break as CR LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def collapse(text: str) -> str:
    return " ".join(text.split())


class FormParser(HTMLParser):
    """Collects every <form> and its controls; controls outside a form join the one named by `form=`."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[HtmlForm] = []
        self.by_id: dict[str, HtmlForm] = {}
        self.orphans: list[tuple[str, Control]] = []
        self.current: HtmlForm | None = None
        self.template_depth = 0  # <template> content is inert: a browser neither shows nor sends it
        self.disabled_fieldsets: list[int] = []  # depths of open <fieldset disabled>
        self.fieldset_depth = 0
        self.select: Control | None = None
        self.option: Option | None = None
        self.text_owner: Control | Option | None = None
        self.text: list[str] = []
        self.labels: dict[str, str] = {}  # control id -> label text
        self.label_for: str | None = None
        self.label_text: list[str] = []

    # Tags ------------------------------------------------------------------------------------------------

    def handle_starttag(self, tag, attr_list):
        attrs = {key: value if value is not None else "" for key, value in attr_list}
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        if tag == "form":
            if self.current is None:  # a nested <form> tag is ignored by browsers
                self.current = HtmlForm(attrs, self.page_url)
                self.forms.append(self.current)
                if "id" in attrs:
                    self.by_id[attrs["id"]] = self.current
        elif tag == "fieldset":
            self.fieldset_depth += 1
            if "disabled" in attrs:
                self.disabled_fieldsets.append(self.fieldset_depth)
        elif tag == "input":
            self.add_input(attrs)
        elif tag == "button":
            kind = attrs.get("type", "submit").lower()
            kind = kind if kind in IGNORED_TYPES else "submit"  # a missing or unknown type submits
            self.start_text(self.add(self.control("button", kind, attrs)))
        elif tag == "label" and attrs.get("for"):
            self.label_for, self.label_text = attrs["for"], []
        elif tag == "select":
            self.select = self.add(
                self.control("select", "select", attrs, multiple="multiple" in attrs, size=int(attrs.get("size") or 0))
            )
        elif tag == "option" and self.select is not None:
            self.end_option()
            self.option = Option(attrs.get("value"), "", "selected" in attrs, "disabled" in attrs)
            self.select.options.append(self.option)
            self.start_text(self.option)
        elif tag == "textarea":
            self.start_text(self.add(self.control("textarea", "textarea", attrs)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("template", "form", "fieldset", "select", "option", "textarea", "button"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "template":
            self.template_depth = max(0, self.template_depth - 1)
            return
        if self.template_depth:
            return
        if tag == "form":
            self.current = None
        elif tag == "fieldset":
            if self.disabled_fieldsets and self.disabled_fieldsets[-1] == self.fieldset_depth:
                self.disabled_fieldsets.pop()
            self.fieldset_depth = max(0, self.fieldset_depth - 1)
        elif tag == "option":
            self.end_option()
        elif tag == "select":
            self.end_option()
            self.select = None
        elif tag in ("textarea", "button"):
            self.end_text()
        elif tag == "label" and self.label_for is not None:
            self.labels[self.label_for] = collapse("".join(self.label_text))
            self.label_for = None

    def handle_data(self, data):
        if self.template_depth:
            return
        if self.text_owner is not None:
            self.text.append(data)
        if self.label_for is not None:
            self.label_text.append(data)

    # Controls --------------------------------------------------------------------------------------------

    def control(self, tag, kind, attrs, **extra) -> Control:
        return Control(
            tag=tag,
            kind=kind,
            name=attrs.get("name", ""),
            value=attrs.get("value", ""),
            disabled="disabled" in attrs or bool(self.disabled_fieldsets),
            attrs=attrs,
            **extra,
        )

    def add_input(self, attrs):
        kind = attrs.get("type", "text").lower()
        if kind not in TEXT_LIKE | BUTTON_TYPES | IGNORED_TYPES | {"checkbox", "radio", "file"}:
            kind = "text"  # an unknown type is a text field
        control = self.control("input", kind, attrs, checked="checked" in attrs)
        if kind in ("checkbox", "radio") and "value" not in attrs:
            control.value = "on"
        self.add(control)

    def add(self, control: Control) -> Control:
        owner = control.attrs.get("form")
        if owner is not None:
            self.orphans.append((owner, control))
        elif self.current is not None:
            self.current.controls.append(control)
        return control

    def start_text(self, owner):
        self.text_owner, self.text = owner, []

    def end_text(self):
        owner, text = self.text_owner, "".join(self.text)
        if isinstance(owner, Control):
            owner.text = text
            if owner.kind == "textarea":
                # The HTML parser drops one line break right after <textarea>.
                owner.value = text[1:] if text.startswith("\n") else text
        elif isinstance(owner, Option):
            owner.label = collapse(text)
            if owner.value is None:
                owner.value = owner.label
        self.text_owner, self.text = None, []

    def end_option(self):
        if self.option is not None:
            if self.text_owner is self.option:
                self.end_text()
            self.option = None

    def close(self):
        super().close()
        for owner, control in self.orphans:
            if owner in self.by_id:
                self.by_id[owner].controls.append(control)
        for form in self.forms:
            for control in form.controls:
                control.label = self.labels.get(control.attrs.get("id", ""), "")


# Finding a form ------------------------------------------------------------------------------------------


def page_url_of(response) -> str:
    request = response.wsgi_request
    return f"http://testserver{request.get_full_path()}"


def parse_forms(html: str, page_url: str = "http://testserver/") -> list[HtmlForm]:
    parser = FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


def find_form(page, selector: int | str | None = None, page_url: str | None = None) -> HtmlForm:
    """The form of `page` (a response or HTML) chosen by `selector`: an index, "#id", an action URL or path,
    or "[attribute=value]"; None: the page's only form (an error when there are several)."""
    if isinstance(page, str):
        html, url = page, page_url or "http://testserver/"
    else:
        assert page.status_code == 200, f"the page answered {page.status_code}, not a page with a form"
        html, url = page.content.decode(), page_url or page_url_of(page)
    forms = parse_forms(html, url)
    matches = [form for i, form in enumerate(forms) if _matches(form, i, selector)]
    listed = "\n  ".join(form.describe() for form in forms) or "(none)"
    assert len(matches) == 1, f"{len(matches)} forms match {selector!r}; the page has:\n  {listed}"
    return matches[0]


def _matches(form: HtmlForm, index: int, selector) -> bool:
    if selector is None:
        return True
    if isinstance(selector, int):
        return index == selector
    if selector.startswith("#"):
        return form.attrs.get("id") == selector[1:]
    if selector.startswith("[") and selector.endswith("]"):
        key, _sep, value = selector[1:-1].partition("=")
        return form.attrs.get(key) == value.strip("\"'") if _sep else key in form.attrs
    return _path(form.action) == _path(urljoin(form.page_url, selector))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# Filling and sending -------------------------------------------------------------------------------------


def fill_form(form: HtmlForm, fill: dict) -> None:
    """Change the controls as a user would: type into a field, tick boxes, choose options.

    A text field takes a string (a list for several fields of one name); a checkbox takes True/False, or the
    values (or labels) to tick among its group; a radio group or select takes a value or label (a list for a
    multiple select); None unticks or deselects everything. A name not in the form is an error.
    """
    unknown = sorted(set(fill) - form.names)
    assert not unknown, f"{form.describe()} has no field named {unknown}; it has {sorted(form.names)}"
    for name, value in fill.items():
        controls = form.fields(name)
        kind = controls[0].kind
        if kind == "file":
            raise AssertionError(f"{name} is a file input: pass the file in files=")
        if kind in ("checkbox", "radio"):
            _tick(controls, value)
        elif kind == "select":
            _choose(controls[0], value)
        else:
            texts = value if isinstance(value, list | tuple) else [value]
            assert len(texts) == len(controls), f"{name}: {len(controls)} fields, {len(texts)} values given"
            for control, text in zip(controls, texts, strict=True):
                control.value = "" if text is None else str(text)


def _tick(controls: list[Control], value):
    if value is True or value is False:
        assert len(controls) == 1, f"{controls[0].name}: {len(controls)} boxes, say which values to tick"
        controls[0].checked = value
        return
    wanted = [] if value is None else [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
    found = set()
    for control in controls:
        control.checked = control.value in wanted or bool(control.label and control.label in wanted)
        if control.checked:
            found.update({control.value, control.label})
    missing = [v for v in wanted if v not in found]
    assert not missing, f"{controls[0].name}: no box with the value {missing}; values: {[c.value for c in controls]}"
    assert controls[0].kind == "checkbox" or len(wanted) <= 1, f"{controls[0].name}: one radio button only"


def _choose(control: Control, value):
    if value is None and not control.multiple:
        value = ""  # a single select cannot be emptied: choose its empty option ("---------")
    wanted = [] if value is None else [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
    assert control.multiple or len(wanted) == 1, f"{control.name} is a single select"
    for option in control.options:
        option.selected = False
    for text in wanted:
        option = next((o for o in control.options if o.value == text), None) or next(
            (o for o in control.options if o.label == text), None
        )
        choices = [(o.value, o.label) for o in control.options]
        assert option is not None and not option.disabled, f"{control.name}: no option {text!r}; options: {choices}"
        option.selected = True


def _button(form: HtmlForm, button) -> Control | None:
    """The submit button clicked: None the first (pressing Enter), an index, or its name, data-testid or text."""
    buttons = form.buttons
    assert buttons, f"{form.describe()} has no submit button: a user could not send it"
    if button is None:
        return buttons[0]
    if isinstance(button, int):
        return buttons[button]
    found = [
        b
        for b in buttons
        if button
        in (b.name, b.attrs.get("data-testid"), collapse(b.text), b.attrs.get("value") if b.tag == "input" else None)
    ]
    assert len(found) == 1, (
        f"{len(found)} buttons match {button!r}; buttons: {[collapse(b.text) or b.value for b in buttons]}"
    )
    return found[0]


def form_payload(form: HtmlForm, *, button=None, files=None) -> tuple[str, str, str, list[tuple[str, object]]]:
    """(method, action, enctype, [(name, value or file)]) of the form sent with `button` and `files`."""
    files = files or {}
    file_names = {c.name for c in form.controls if c.kind == "file" and not c.disabled and c.name}
    unknown = sorted(set(files) - file_names)
    assert not unknown, f"{form.describe()} has no file input named {unknown}; it has {sorted(file_names)}"
    clicked = _button(form, button)
    pairs: list[tuple[str, object]] = list(form.data())
    if clicked.name:
        if clicked.kind == "image":
            pairs += [(f"{clicked.name}.x", "0"), (f"{clicked.name}.y", "0")]
        else:
            pairs.append((clicked.name, clicked.value))
    method = (clicked.attrs.get("formmethod") or form.method).lower()
    action = urljoin(form.page_url, clicked.attrs["formaction"]) if clicked.attrs.get("formaction") else form.action
    enctype = (clicked.attrs.get("formenctype") or form.enctype).lower()
    for name, upload in files.items():
        uploads = upload if isinstance(upload, list | tuple) else [upload]
        if method == "post" and enctype == MULTIPART:
            pairs += [(name, item) for item in uploads]
        else:
            pairs += [(name, item.name) for item in uploads]  # without multipart a browser sends only the name
    return method, action, enctype, pairs


def submit(client, page, selector=None, *, fill=None, files=None, button=None, follow=False, **extra):
    """Send the form of `page` (a response of `client`) as a browser would, after `fill`; the response.

    `files` maps a file input's name to a SimpleUploadedFile (or a list of them for `multiple`).
    """
    form = find_form(page, selector)
    form.check_formsets()
    fill_form(form, fill or {})
    method, action, enctype, pairs = form_payload(form, button=button, files=files)
    path = _path(action)
    if method == "get":
        return client.get(urlsplit(path).path, _grouped(pairs), follow=follow, **extra)
    if enctype == MULTIPART:
        for _name, value in pairs:
            if isinstance(value, SimpleUploadedFile):
                value.seek(0)
        return client.post(path, _grouped(pairs), follow=follow, **extra)
    return client.post(path, urlencode(pairs), content_type=URLENCODED, follow=follow, **extra)


def _grouped(pairs) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped

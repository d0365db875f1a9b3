"""`get_<field>_display()` from a table of the field's labels, kept per field.

Django's own looks the value up in `dict(make_hashable(field.flatchoices))`, built again on every call, and
building it hashes every label: each lazy label is translated, so a status badge translated all the statuses'
labels each time it showed one. A list of 25 cases called it about 80 times (status, handling body, dossier kind,
kinds of claim): a quarter of the rows' rendering. `install` gives each choice field of the portal's models a
`get_<field>_display` that reads a table built once from the same choices; the labels stay lazy, so the one
shown is translated into the language of the request. A model that defines its own method keeps it.
tests/union_portal/test_choice_labels.py compares it with Django's for every choice of every field.
"""

from functools import partialmethod

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

APPS = ("union_portal", "stations", "disputes", "benefits")


def install(app_models) -> int:
    """Replace Django's `get_<field>_display` of each choice field of `app_models`; returns how many."""
    count = 0
    for model in app_models:
        for field in model._meta.get_fields():
            name = f"get_{getattr(field, 'name', '')}_display"
            if getattr(field, "choices", None) and _is_djangos(model.__dict__.get(name)):
                setattr(model, name, _display(field))
                count += 1
    return count


def _is_djangos(method) -> bool:
    return isinstance(method, partialmethod) and method.func is models.Model._get_FIELD_display


def _display(field):
    labels = {make_hashable(value): label for value, label in field.flatchoices}

    def display(self):
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)

    display.__name__ = f"get_{field.name}_display"
    return display

"""Every choice field's `get_<field>_display()` answers as Django's own would (union_portal/choice_labels.py)."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from union_portal import choice_labels


def choice_fields():
    for model in apps.get_models():
        if model._meta.app_label not in choice_labels.APPS:
            continue
        for field in model._meta.get_fields():
            if getattr(field, "choices", None) and getattr(field, "attname", None):
                yield model, field


def test_every_choice_field_of_the_portal_reads_its_table():
    fields = list(choice_fields())
    assert len(fields) > 40
    for model, field in fields:
        method = getattr(model, f"get_{field.name}_display")
        assert not choice_labels._is_djangos(model.__dict__[method.__name__]), f"{model.__name__}.{field.name}"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_label_is_djangos_in_the_language_of_the_request(language):
    checked = 0
    with translation.override(language):
        for model, field in choice_fields():
            record = model()
            for value in [value for value, _label in field.flatchoices] + ["no-such-value", None, 0]:
                setattr(record, field.attname, value)
                ours = getattr(record, f"get_{field.name}_display")()
                assert ours == models.Model._get_FIELD_display(record, field), (model.__name__, field.name, value)
                assert type(ours) is type(models.Model._get_FIELD_display(record, field))
                checked += 1
    assert checked > 200


def test_the_label_follows_the_language_it_is_shown_in():
    from disputes.models import Case, Status

    case = Case(status=Status.ACCEPTED)
    with translation.override("en"):
        assert case.get_status_display() == "accepted for mediation"
    with translation.override("zh-hans"):
        assert case.get_status_display() == "已受理调解"

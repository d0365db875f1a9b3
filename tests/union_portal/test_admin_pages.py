"""Every admin page a district admin uses opens: each registered model's list, search, add form and history."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import EnterpriseFactory, VenueFactory


@pytest.fixture
def site_admin(district_admin):
    district_admin.is_staff = district_admin.is_superuser = True
    district_admin.save()
    return district_admin


MODELS = sorted(f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry)


@pytest.mark.parametrize("label", MODELS)
def test_each_admin_list_and_add_form_opens(client_for, site_admin, town_a, label):
    VenueFactory(town=town_a)
    EnterpriseFactory(town=town_a)
    app_label, model_name = label.split(".")
    client = client_for(site_admin)

    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist, {"q": "大兴"}).status_code == 200

    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label_lower == label)
    add = client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    # Cases are opened on the portal's intake page (which numbers them); counters are never added by hand.
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)


@pytest.mark.parametrize("label", ["stations.venue", "union_portal.enterprise", "union_portal.town"])
def test_a_record_opens_with_its_history(client_for, site_admin, town_a, label):
    records = {
        "stations.venue": VenueFactory(town=town_a),
        "union_portal.enterprise": EnterpriseFactory(town=town_a),
        "union_portal.town": town_a,
    }
    obj = records[label]
    app_label, model_name = label.split(".")
    client = client_for(site_admin)
    assert client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk])).status_code == 200
    assert client.get(reverse(f"admin:{app_label}_{model_name}_history", args=[obj.pk])).status_code == 200


# Counters that nobody edits (all fields read-only) and the framework's own models.
WITHOUT_HISTORY = {
    "union_portal.sequence",
    "auth.group",
    "auth.user",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}


def test_every_model_people_edit_in_the_admin_keeps_its_history():
    from simple_history.admin import SimpleHistoryAdmin

    missing = [
        label
        for label in MODELS
        if label not in WITHOUT_HISTORY
        and not isinstance(
            next(a for m, a in admin.site._registry.items() if m._meta.label_lower == label), SimpleHistoryAdmin
        )
    ]
    assert not missing, f"admin without history: {missing}"

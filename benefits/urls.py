"""Staff pages for member benefits and hardship aid, under /benefits/.

Each part of the app keeps its own section below (and in views.py, forms.py, filters.py,
resources.py): the start page, members and cards, merchants and activities, hardship files,
the aid ledger, services for all members.
"""

from django.urls import path

from . import views

app_name = "benefits"

urlpatterns = [
    path("", views.StartView.as_view(), name="home"),
    # Members, service cards, merchants, member-only activities ------------------------------
    # Hardship files, visits, re-checks, the allowance list -----------------------------------
    # The aid ledger ------------------------------------------------------------------------
    # Services for all members ----------------------------------------------------------------
]

"""The public venue finder, under /venues/: no login."""

from django.urls import path

from . import views

app_name = "venues"

urlpatterns = [
    path("", views.VenueFinderView.as_view(), name="finder"),
    path("<str:code>/", views.PublicVenueView.as_view(), name="venue"),
]

"""Venue photos under MEDIA_URL/venues/, served through the visibility check of `views.venue_photo_file`."""

from django.urls import path

from . import views

urlpatterns = [
    path("<path:path>", views.venue_photo_file, name="venue_photo_file"),
]

"""Staff pages for venues, under /stations/."""

from django.urls import path

from . import views

app_name = "stations"

urlpatterns = [
    path("", views.VenueListView.as_view(), name="venue_list"),
    path("new/", views.VenueCreateView.as_view(), name="venue_create"),
    path("<int:pk>/", views.VenueDetailView.as_view(), name="venue_detail"),
    path("<int:pk>/edit/", views.VenueUpdateView.as_view(), name="venue_update"),
    path("<int:pk>/poster/", views.VenuePosterView.as_view(), name="venue_poster"),
    path("<int:pk>/qr.svg", views.VenueQrView.as_view(), name="venue_qr"),
]

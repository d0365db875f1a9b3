from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("stations/", include("stations.urls")),
    path("venues/", include("stations.public_urls")),
    path("disputes/", include("disputes.urls")),
    path("benefits/", include("benefits.urls")),
    path("summary/", include("union_portal.summary.urls")),
    path("exports/", include("union_portal.exports.urls")),
    path("imports/", include("union_portal.imports.urls")),
    path("admin/", admin.site.urls),
    # Venue photos: public for venues in service, otherwise for staff who may see the venue. No other upload has
    # a URL (case attachments are served by their case's page).
    path("media/venues/", include("stations.media_urls")),
]

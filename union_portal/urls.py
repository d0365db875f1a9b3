from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.static import serve

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("stations/", include("stations.urls")),
    path("venues/", include("stations.public_urls")),
    path("disputes/", include("disputes.urls")),
    path("admin/", admin.site.urls),
    # Venue photos are public; they are the only uploads served from MEDIA_ROOT this way.
    path("media/venues/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "venues"}),
]

from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("", views.MyExportsView.as_view(), name="mine"),
    path("<uuid:pk>/", views.ExportJobView.as_view(), name="job"),
    path("<uuid:pk>/progress/", views.ExportProgressView.as_view(), name="progress"),
    path("<uuid:pk>/download/", views.ExportDownloadView.as_view(), name="download"),
]

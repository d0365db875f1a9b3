from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("<uuid:pk>/", views.ImportJobView.as_view(), name="job"),
    path("<uuid:pk>/progress/", views.ImportProgressView.as_view(), name="progress"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("", views.SummaryLatestView.as_view(), name="summary"),
    path("<int:year>/", views.SummaryView.as_view(), name="summary_year"),
]

from django.urls import path

from .. import my_jobs
from . import views

app_name = "exports"
urlpatterns = [
    path("", my_jobs.MyJobsView.as_view(), name="mine"),  # 我的导出与导入: imports too
    path("<uuid:pk>/", views.ExportJobView.as_view(), name="job"),
    path("<uuid:pk>/progress/", views.ExportProgressView.as_view(), name="progress"),
    path("<uuid:pk>/download/", views.ExportDownloadView.as_view(), name="download"),
]

from django.urls import path

from . import exports, signoff, views

urlpatterns = [
    path("", views.SummaryLatestView.as_view(), name="summary"),
    path("<int:year>/", views.SummaryView.as_view(), name="summary_year"),
    path("<int:year>/export.xlsx", exports.SummaryXlsxView.as_view(), name="summary_xlsx"),
    path("<int:year>/export.docx", exports.SummaryDocxView.as_view(), name="summary_docx"),
    path("<int:year>/signoff/", signoff.SignoffCreateView.as_view(), name="summary_signoff"),
    path("<int:year>/signoff/withdraw/", signoff.SignoffWithdrawView.as_view(), name="summary_signoff_withdraw"),
]

"""Staff pages for member benefits and hardship aid, under /benefits/.

Each part of the app keeps its own section below (and in views.py, forms.py, filters.py,
resources.py): the start page, members and cards, merchants and activities, hardship files,
the aid ledger, services for all members.
"""

from django.urls import path

from . import views

app_name = "benefits"

urlpatterns = [
    path("", views.StartView.as_view(), name="home"),
    # Members, service cards, merchants, member-only activities ------------------------------
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path("members/new/", views.MemberCreateView.as_view(), name="member_create"),
    path("members/export/", views.MemberExportView.as_view(), name="member_export"),
    path("members/import/", views.MemberImportView.as_view(), name="member_import"),
    path("members/import/template/", views.MemberTemplateView.as_view(), name="member_template"),
    path("members/<int:pk>/", views.MemberDetailView.as_view(), name="member_detail"),
    path("members/<int:pk>/edit/", views.MemberUpdateView.as_view(), name="member_update"),
    path("members/<int:pk>/card/", views.CardIssueView.as_view(), name="card_issue"),
    path("cards/<int:pk>/status/", views.CardStatusView.as_view(), name="card_status"),
    path("cards/<int:pk>/lost/", views.CardLostView.as_view(), name="card_lost"),
    path("merchants/", views.MerchantListView.as_view(), name="merchant_list"),
    path("merchants/new/", views.MerchantFormView.as_view(), name="merchant_create"),
    path("merchants/<int:pk>/", views.MerchantDetailView.as_view(), name="merchant_detail"),
    path("merchants/<int:pk>/edit/", views.MerchantFormView.as_view(), name="merchant_update"),
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/new/", views.ActivityFormView.as_view(), name="activity_create"),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/edit/", views.ActivityFormView.as_view(), name="activity_update"),
    # Hardship files, visits, re-checks, the allowance list -----------------------------------
    path("files/", views.FileListView.as_view(), name="file_list"),
    path("files/new/", views.FileFormView.as_view(), name="file_create"),
    path("files/<int:pk>/", views.FileDetailView.as_view(), name="file_detail"),
    path("files/<int:pk>/edit/", views.FileFormView.as_view(), name="file_update"),
    path("files/<int:pk>/submit/", views.FileSubmitView.as_view(), name="file_submit"),
    path("files/<int:pk>/approve/", views.FileApproveView.as_view(), name="file_approve"),
    path("files/<int:pk>/reject/", views.FileRejectView.as_view(), name="file_reject"),
    path("files/<int:pk>/recheck/", views.FileRecheckView.as_view(), name="file_recheck"),
    path("files/<int:pk>/close/", views.FileCloseView.as_view(), name="file_close"),
    path("files/<int:pk>/reopen/", views.FileReopenView.as_view(), name="file_reopen"),
    path("files/<int:pk>/visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("rechecks/", views.RecheckListView.as_view(), name="recheck_list"),
    path("visits/", views.VisitListView.as_view(), name="visit_list"),
    path("allowance-list/", views.AllowanceListView.as_view(), name="allowance_list"),
    path("allowance-list/import/", views.AllowanceImportView.as_view(), name="allowance_import"),
    # The aid ledger ------------------------------------------------------------------------
    path("payments/", views.PaymentListView.as_view(), name="payment_list"),
    path("payments/totals/", views.PaymentTotalsView.as_view(), name="payment_totals"),
    path("payments/sign-off/", views.SignoffSheetView.as_view(), name="signoff_sheet"),
    path("payments/sign-off.xlsx", views.SignoffExportView.as_view(), name="signoff_export"),
    path("payments/<int:pk>/", views.PaymentDetailView.as_view(), name="payment_detail"),
    path("payments/<int:pk>/approve/", views.PaymentApproveView.as_view(), name="payment_approve"),
    path("payments/<int:pk>/post/", views.PaymentPostView.as_view(), name="payment_post"),
    path("payments/<int:pk>/withdraw/", views.PaymentWithdrawView.as_view(), name="payment_withdraw"),
    path("payments/<int:pk>/reverse/", views.PaymentReverseView.as_view(), name="payment_reverse"),
    path("files/<int:file_pk>/payments/new/", views.PaymentCreateView.as_view(), name="payment_create"),
    # Services for all members ----------------------------------------------------------------
    *(
        path(
            f"{programme.slug}/{route}",
            view.as_view(programme=programme),
            name=f"{key}_{page}",
        )
        for key, programme in views.SERVICE_PROGRAMMES.items()
        for page, (route, view) in views.SERVICE_PROGRAMME_VIEWS.items()
    ),
]

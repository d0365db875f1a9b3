"""Staff pages for labour disputes, under /disputes/."""

from django.urls import path

from . import documents, views

app_name = "disputes"

urlpatterns = [
    path("", views.StartView.as_view(), name="home"),
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/export/", views.CaseExportView.as_view(), name="case_export"),
    path("cases/new/", views.CaseCreateView.as_view(), name="case_create"),
    path("cases/new/duplicates/", views.CaseDuplicatesView.as_view(), name="case_duplicates"),
    path("employers/", views.EmployerSearchView.as_view(), name="employer_search"),
    path("employers/awaiting-code/", views.EmployersAwaitingCodeView.as_view(), name="employers_awaiting_code"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/edit/", views.CaseUpdateView.as_view(), name="case_update"),
    path("cases/<int:pk>/move/", views.CaseTransitionView.as_view(), name="case_transition"),
    path("cases/<int:pk>/timeline/", views.TimelineAddView.as_view(), name="timeline_add"),
    path("cases/<int:pk>/attachments/", views.AttachmentAddView.as_view(), name="attachment_add"),
    path(
        "cases/<int:case_pk>/attachments/<int:pk>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path("cases/<int:pk>/extend/", views.ExtensionView.as_view(), name="case_extend"),
    path("cases/<int:pk>/print/", documents.CasePrintView.as_view(), name="case_print"),
    path("cases/<int:pk>/agreement/", documents.AgreementView.as_view(), name="case_agreement"),
    path("cases/<int:pk>/agreement.docx", documents.AgreementDocxView.as_view(), name="case_agreement_docx"),
    path("cases/<int:pk>/registration/", documents.RegistrationView.as_view(), name="case_registration"),
    path("cases/<int:pk>/registration.docx", documents.RegistrationDocxView.as_view(), name="case_registration_docx"),
    path("dossiers/import/", views.DossierImportView.as_view(), name="dossier_import"),
    path("dossiers/template.xlsx", views.DossierTemplateView.as_view(), name="dossier_template"),
    path("bargaining/", views.LargeEnterpriseListView.as_view(), name="bargaining"),
    path("bargaining/agreements/new/", views.WageAgreementCreateView.as_view(), name="agreement_create"),
    path("bargaining/census/", views.BargainingCensusView.as_view(), name="bargaining_census"),
    path("bargaining/census/new/", views.CensusEntryCreateView.as_view(), name="census_create"),
    path("bargaining/instructors/", views.InstructorListView.as_view(), name="instructor_list"),
    path("bargaining/inspections/", views.InspectionListView.as_view(), name="inspection_list"),
    path("bargaining/inspections/new/", views.InspectionCreateView.as_view(), name="inspection_create"),
    path("bargaining/inspections/unions/", views.InspectedUnionListView.as_view(), name="inspected_union_list"),
]

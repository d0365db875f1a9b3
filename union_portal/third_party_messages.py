"""Messages of Django's admin, django-axes, django-tasks-db and django-import-export that their own catalogues
lack in zh-Hans.

Never imported: `make messages` (makemessages) reads these calls, so that the entries enter our catalogue and
stay there (--no-obsolete drops any entry the code does not hold). Django looks in LOCALE_PATHS before the apps'
own catalogues, so our translations serve the admin pages. tests/union_portal/test_admin_chinese.py finds the
ones still missing.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

ADMIN = [
    # django.contrib.admin 5.2 (app_list.html, change_form.html, auth's add user page)
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Forgotten your login credentials?"),
]

AXES = [
    # models
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    # admin
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Account locked: too many login attempts. Please try again later."),
]

TASKS = [
    # django-tasks-db (the task queue's table: its permissions appear on the admin's group and user pages)
    gettext_noop("Tasks Database Backend"),
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
]

IMPORT_EXPORT = [
    gettext_noop(
        "%(exc_name)s encountered while trying to read file. Ensure you have chosen the correct format for the file."
    ),
    gettext_noop("No valid data to import. Ensure your file has the correct headers or data for import."),
    gettext_noop("export failed due to IllegalCharacterError"),
    gettext_noop("Resource"),
    gettext_noop('Select at least 1 field for "%(resource_name)s" to export'),
    gettext_noop("Select all"),
    gettext_noop("Value could not be parsed."),
    ngettext_lazy("Export %(len)s selected item.", "Export %(len)s selected items.", "len"),
]

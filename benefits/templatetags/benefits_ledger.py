"""The aid ledger on a hardship file's page: `{% load benefits_ledger %}{% file_payments %}`.

The file page (the "files" part) includes templates/benefits/_file_payments.html, which calls this tag: the panel
reads what it needs itself, so the file page's view passes nothing but the file (`file` in its context).
"""

from django import template

from benefits import ledger

register = template.Library()


@register.inclusion_tag("benefits/_payment_panel.html", takes_context=True)
def file_payments(context, file=None):
    """The file's payments with their state and the steps the user may take, and the total of posted entries."""
    file = file or context.get("file")
    request = context["request"]
    return {
        **ledger.file_panel(file, request.user),
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
    }

"""The error a service raises when a business rule says no (STYLE.md §2).

It is a ValidationError with translatable messages: a view shows it on the form it came from with
`add_to_form(form, error)`, and a dict of messages by field name marks those fields.
"""

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A business rule refused the operation; the message says which and why."""


def add_to_form(form, error: ValidationError) -> None:
    """Show a service's error on the form it came from: on the fields it names, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)

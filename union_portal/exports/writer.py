"""Rows of a queryset, through an import-export resource, streamed into an xlsx file."""

from collections.abc import Callable

from django.conf import settings

from ..spreadsheet_files import Sheet, workbook_save


def resource_rows(resource, queryset, *, progress: Callable[[int], None] | None = None):
    """Each object of `queryset` as the resource exports it (masked, escaped, native types), read a chunk at a time
    (the queryset's prefetches run per chunk); `progress(rows so far)` after each chunk and at the end."""
    chunk = settings.EXPORT_CHUNK_SIZE
    done = 0
    for instance in queryset.iterator(chunk_size=chunk):
        yield resource.export_resource(instance, force_native_type=True)
        done += 1
        if progress and done % chunk == 0:
            progress(done)
    if progress:
        progress(done)


def write_export(kind, queryset, target, *, progress: Callable[[int], None] | None = None) -> None:
    """Write the rows of `queryset` as the kind's sheet to `target` (a path or a binary file)."""
    resource = kind.resource()
    headers = resource.get_export_headers()
    rows = resource_rows(resource, queryset, progress=progress)
    workbook_save(target, Sheet(str(kind.title), headers, rows))


class ChoiceLabels:
    """For resources: `self.label(record, "status")` is `record.get_status_display()`, each label translated once per
    resource (Django's display hashes every lazy label on each call: a third of a long export's time)."""

    def label(self, record, name: str) -> str:
        labels = self.__dict__.setdefault("_choice_labels", {})
        key = (type(record), name, getattr(record, name))
        if key not in labels:
            labels[key] = str(getattr(record, f"get_{name}_display")())
        return labels[key]

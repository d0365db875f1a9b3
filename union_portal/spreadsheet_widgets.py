"""Widgets of the spreadsheet kit: one cell of a sheet <-> one Python value (django-import-export widgets).

Every import of the portal reads cells through these, so a town office may write a cell the way
its ledgers do: choices by their label (or a ledger word), 是/否, dates as 2018-03-05, 2018/3/5,
2018.3.5, 2018年3月5日, full-width digits or an Excel date serial. Text cells undo the export's
formula escaping (a leading ' before = + - @), so an exported sheet imports back unchanged.
A value that cannot be read raises `ValueError` with a translated message naming it.
"""

import datetime
import unicodedata
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from import_export import widgets

from .formatting import FORMULA_PREFIXES

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S")
TIME_FORMATS = ("%H:%M", "%H:%M:%S")
EXCEL_SERIALS = range(1, 2_958_466)  # 1900-01-01 to 9999-12-31 as Excel counts days
SERIAL_DIGITS = range(4, 6)  # a date serial typed as text: 1000 (1902) to 99999 (2173)
ISO_DATE_LENGTH = len("2018-06-01")


def cell_text(value) -> str:
    """A cell as text: trimmed, a whole number without ".0", the export's formula escaping undone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    text = str(value)
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]  # undo the export's formula escaping, so a re-import round-trips
    return text.strip()


def cell_plain(value) -> str:
    """A cell as text with full-width digits, letters and signs folded (for codes, numbers and dates)."""
    return unicodedata.normalize("NFKC", cell_text(value)).strip()


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class CodeWidget(TextWidget):
    """An identifier (a credit code, a venue code): full-width folded, upper case."""

    def clean(self, value, row=None, **kwargs):
        return cell_plain(value).upper()


class ChoiceWidget(widgets.Widget):
    """A choice written as its label (in any of the portal's languages), its stored value or an alias.

    `aliases` maps words town ledgers use (data, never translated) to a value.
    """

    def __init__(self, choices, default="", aliases=None):
        self.choices = choices
        self.default = default
        self.aliases = {word: value for word, value in (aliases or {}).items() if value in choices.values}
        self._lookup = None
        super().__init__()

    def _values_by_text(self) -> dict[str, str]:
        if self._lookup is None:
            lookup = {word.lower(): value for word, value in self.aliases.items()}
            for value, label in self.choices.choices:
                lookup[value.lower()] = value
                for language, _name in settings.LANGUAGES:
                    with translation.override(language):
                        lookup[str(label).strip().lower()] = value
            self._lookup = lookup
        return self._lookup

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return self.default
        try:
            return self._values_by_text()[text.lower()]
        except KeyError:
            labels = "、".join(str(label) for label in self.choices.labels)
            raise ValueError(
                gettext("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": labels}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class YesNoWidget(widgets.Widget):
    """是/否 (and the ticks and words offices use); anything else is refused rather than read as 否."""

    TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
    FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_plain(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        if text == gettext("Yes").lower():
            return True
        if text == gettext("No").lower():
            return False
        raise ValueError(gettext("Write 是 or 否, not “%(value)s”.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return gettext("Yes") if value else gettext("No")


def excel_serial_date(value) -> datetime.date | None:
    """The date an Excel day number stands for (a date cell saved without its date format), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) not in EXCEL_SERIALS:
        return None
    from openpyxl.utils.datetime import from_excel

    return from_excel(value).date()


class DateWidget(widgets.DateWidget):
    """django-import-export's date widget with the formats offices type; exported as YYYY-MM-DD."""

    def __init__(self, **kwargs):
        super().__init__(format=DATE_FORMATS[0], **kwargs)
        self.formats = DATE_FORMATS

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if value is None or value == "":
            return None
        serial = excel_serial_date(value)
        if serial:
            return serial
        text = cell_plain(value)
        if text.isdigit() and len(text) in SERIAL_DIGITS:
            return excel_serial_date(int(text))
        if len(text) == ISO_DATE_LENGTH and text[4] == text[7] == "-":
            try:  # the way the export writes a date: read without trying each format (4 µs a cell)
                return datetime.date.fromisoformat(text)
            except ValueError:
                pass  # the formats below say what is wrong
        try:
            return super().clean(text, row, **kwargs)
        except ValueError:
            raise ValueError(
                gettext("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2018-06-01.") % {"value": text}
            ) from None


class TimeWidget(widgets.TimeWidget):
    """django-import-export's time widget: HH:MM (full-width colon too) or Excel's fraction of a day."""

    def __init__(self, **kwargs):
        super().__init__(format=TIME_FORMATS[0], **kwargs)
        self.formats = TIME_FORMATS

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.time()
        if isinstance(value, datetime.time):
            return value
        if isinstance(value, float) and 0 <= value < 1:  # Excel keeps a time as a fraction of a day
            minutes = round(value * 24 * 60)
            return datetime.time(minutes // 60, minutes % 60)
        text = cell_plain(value)
        try:
            return super().clean(text, row, **kwargs)
        except ValueError:
            raise ValueError(
                gettext("“%(value)s” is not a time: write it as HH:MM, e.g. 08:30.") % {"value": text}
            ) from None


def _decimal(value) -> Decimal | None:
    if isinstance(value, float):
        value = repr(value)  # 8500.5, not 8500.499999...
    text = cell_plain(value).replace(",", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(gettext("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(gettext("Enter a number."))
    return number


class WholeNumberWidget(widgets.Widget):
    def __init__(self, default=0):
        self.default = default
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        try:
            number = _decimal(value)
        except ValueError:
            raise ValueError(gettext("Enter a whole number.")) from None
        if number is None:
            return self.default
        if number != number.to_integral_value():
            raise ValueError(gettext("Enter a whole number."))
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value


class DecimalNumberWidget(widgets.Widget):
    """A number kept as Decimal, rounded to `places` when given (full-width digits, 1,000 separators)."""

    places = None

    def clean(self, value, row=None, **kwargs):
        number = _decimal(value)
        if number is None or self.places is None:
            return number
        return number.quantize(Decimal(1).scaleb(-self.places))

    def render(self, value, obj=None, **kwargs):
        return value


class LookupWidget(widgets.ForeignKeyWidget):
    """A related row named by one of its own fields (`field`), all looked up with one query per import.

    The rows are kept in a dict by the field's text. django-import-export's CachedForeignKeyWidget,
    which did this before, builds a namedtuple class for every cell it looks up (34 µs a row). The
    resource may hand over rows it reads anyway (`objects_set`); otherwise the first cell reads them.
    Subclasses say what an unknown name means to the user (`not_found`, with %(name)s).
    """

    def __init__(self, model, field="pk", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.objects = None  # the field's text -> the rows of that name (one, unless the field is not unique)

    def objects_set(self, rows) -> None:
        self.objects = {}
        for row in rows:
            self.objects.setdefault(str(getattr(row, self.field)), []).append(row)

    def not_found(self, name: str) -> str:
        return gettext("Nothing is called “%(name)s”.") % {"name": name}

    def clean(self, value, row=None, **kwargs):
        name = cell_text(value)
        if not name:
            return None
        if self.objects is None:
            self.objects_set(self.get_queryset(name, row, **kwargs))
        found = self.objects.get(name, ())
        if not found:
            raise ValueError(self.not_found(name))
        if len(found) > 1:  # as a queryset's get() would say
            raise self.model.MultipleObjectsReturned(
                f"get() returned more than one {self.model._meta.object_name} -- it returned {len(found)}!"
            )
        return found[0].pk if self.key_is_id else found[0]

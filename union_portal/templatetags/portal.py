"""Template filters for money and personal data, page bars and status badges (one place for each rule)."""

from dataclasses import dataclass

from django import template
from django.utils.html import format_html

from union_portal import formatting

register = template.Library()


@register.filter
def wan(amount):
    """17305500 -> 1730.55万元."""
    return formatting.format_wan(amount)


@register.filter
def mask_id(value):
    return formatting.mask_id_number(value)


@register.filter
def mask_phone(value):
    return formatting.mask_phone(value)


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()


@register.filter
def person_name(user):
    """{{ case.assigned_to|person_name }}: 侯洁, not Django's "洁 侯" (formatting.person_name)."""
    return formatting.person_name(user)


@register.filter
def html_lang(language_code):
    """zh-hans -> zh-Hans: the BCP 47 spelling for <html lang> (a script subtag is title case)."""
    parts = str(language_code).split("-")
    return "-".join([parts[0], *(part.title() if len(part) == 4 else part.upper() for part in parts[1:])])


# Pagination ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageLink:
    """One entry of a page bar: a page number with its URL, or a gap (number None) shown as an ellipsis."""

    number: int | None
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class PageBar:
    """What the shared pagination template shows, whatever paginates the list.

    Only plain values and a URL builder: a keyset paginator (issue 10) can build the same bar.
    """

    number: int
    count: int
    total: int
    links: list[PageLink]
    previous_url: str
    next_url: str
    kept_params: list[tuple[str, str]]  # the query's other parameters, for the jump form's hidden fields

    @property
    def total_display(self):
        return f"{self.total:,}"

    @property
    def count_display(self):
        return f"{self.count:,}"


def page_url(query, number):
    """The current query string with `page` replaced (filters, sort and `figure=` kept)."""
    params = query.copy()
    params["page"] = number
    return "?" + params.urlencode()


def page_bar(query, number, count, total, *, on_each_side=2, on_ends=1):
    """The bar of a list at page `number` of `count` pages: first and last, a window around the current page, gaps."""
    shown = _page_window(number, count, on_each_side, on_ends)
    links = [PageLink(n, page_url(query, n), n == number) if n else PageLink(None) for n in shown]
    kept = [(key, value) for key, values in query.lists() if key != "page" for value in values]
    return PageBar(
        number=number,
        count=count,
        total=total,
        links=links,
        previous_url=page_url(query, number - 1) if number > 1 else "",
        next_url=page_url(query, number + 1) if number < count else "",
        kept_params=kept,
    )


def _page_window(number, count, on_each_side, on_ends):
    """Page numbers to show, with None for a gap: 1 … 4 5 [6] 7 8 … 1205."""
    wanted = set(range(1, min(on_ends, count) + 1)) | set(range(max(count - on_ends + 1, 1), count + 1))
    wanted |= set(range(max(number - on_each_side, 1), min(number + on_each_side, count) + 1))
    shown, previous = [], 0
    for page in sorted(wanted):
        if page - previous == 2:
            shown.append(page - 1)  # a gap of one page shows that page rather than an ellipsis
        elif page - previous > 2:
            shown.append(None)
        shown.append(page)
        previous = page
    return shown


@register.simple_tag(takes_context=True)
def pagination_bar(context, page_obj=None):
    """The page bar of a Django `Page` (ListView's `page_obj`), or None when the list has one page."""
    page_obj = page_obj or context.get("page_obj")
    if page_obj is None or not page_obj.has_other_pages():
        return None
    paginator = page_obj.paginator
    return page_bar(context["request"].GET, page_obj.number, paginator.num_pages, paginator.count)


# Status badges ------------------------------------------------------------------------------------------

# Each app's states by colour: new work is primary, work under way info or warning, a problem danger,
# a good end success, an end without result secondary. Bootstrap's text-bg-* pairs the background with a
# text colour that keeps WCAG AA contrast (lists.css darkens the two that sit at the limit).
STATUS_COLOURS = {
    "case": {
        "received": "primary",
        "accepted": "info",
        "mediating": "info",
        "applied": "info",
        "approved": "info",
        "representing": "info",
        "referred": "warning",
        "failed": "warning",
        "refused": "danger",
        "agreement": "success",
        "closed": "success",
        "archived": "secondary",
    },
    "clock": {"overdue": "danger", "due_soon": "warning", "running": "info", "none": "light"},
    "venue": {"planned": "primary", "built": "info", "accepted": "success", "closed": "secondary"},
    "honour": {"applied": "primary", "awarded": "success", "declined": "secondary"},
    "file": {
        "applying": "primary",
        "reviewing": "info",
        "approved": "success",
        "rejected": "danger",
        "closed": "secondary",
    },
    "payment": {"entered": "primary", "approved": "info", "posted": "success", "withdrawn": "secondary"},
    "card": {"active": "success", "suspended": "warning", "lost": "danger", "cancelled": "secondary"},
    "merchant": {"active": "success", "suspended": "warning", "ended": "secondary"},
}

# Which table of states a record's model uses, by the model's name (the core imports no app).
STATUS_KINDS = {
    "case": "case",
    "venue": "venue",
    "venuehonour": "honour",
    "hardshipfile": "file",
    "aidpayment": "payment",
    "servicecard": "card",
    "merchant": "merchant",
}


@register.filter
def status_colour(value, kind):
    """`{{ case.status|status_colour:"case" }}` -> "text-bg-primary" (secondary for a state not listed)."""
    return "text-bg-" + STATUS_COLOURS.get(kind, {}).get(str(value), "secondary")


@register.simple_tag
def status_badge(record, kind=None, field=None):
    """`{% status_badge case %}`: the record's state as a badge coloured by state, its code in data-status."""
    field = field or ("state" if hasattr(record, "state") and not hasattr(record, "status") else "status")
    value = getattr(record, field)
    kind = kind or STATUS_KINDS.get(record._meta.model_name, record._meta.model_name)
    label = getattr(record, f"get_{field}_display")()
    return format_html(
        '<span class="badge status-badge {}" data-status="{}">{}</span>', status_colour(value, kind), value, label
    )


@register.filter
def label_at(columns, index):
    """`{{ columns|label_at:forloop.counter0 }}`: the label of a list's column by position (a phone card's label)."""
    try:
        column = columns[index]
    except (IndexError, TypeError):
        return ""
    return column.get("label", "") if isinstance(column, dict) else getattr(column, "label", "")

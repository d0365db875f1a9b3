"""Template filters for money and personal data (one place for each rule)."""

from django import template

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

"""The sign-off panel of the annual summary page (templates/union_portal/summary/_signoff.html)."""

from django import template

from union_portal.summary import signoff

register = template.Library()


@register.simple_tag(takes_context=True)
def signoff_panel(context) -> dict:
    """What the panel shows the viewer on the page of `report`: `{% signoff_panel as panel %}`."""
    return signoff.panel(context["request"].user, context["report"])

"""The case page's 文书 group: links to the documents that apply to the case (`disputes.documents`)."""

from django import template

from disputes.documents import document_links

register = template.Library()


@register.inclusion_tag("disputes/documents/_links.html")
def case_documents(case):
    return {"case": case, "links": document_links(case)}

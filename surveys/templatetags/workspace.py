"""{% workspace_nav %}: the signed-in user's sections in the navigation bar of every staff page."""
from django import template

from surveys.accounts.workspace import workspace_sections

register = template.Library()


@register.inclusion_tag("_workspace_nav.html", takes_context=True)
def workspace_nav(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    path = request.path if request else ""
    sections = workspace_sections(user=user) if user is not None else []
    current = next((s.key for s in sections if s.key != "codebook" and path.startswith(s.url)), "")
    return {"sections": sections, "current": current}

from django import template

from surveys.questionnaire.texts import pick as pick_text

register = template.Library()


@register.filter
def pick(texts, language):
    """{{ item.wording|pick:language }}: the text in that language, English where it lacks one."""
    return pick_text(texts, language) if isinstance(texts, dict) else (texts or "")

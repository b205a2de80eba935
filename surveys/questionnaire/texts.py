"""Text in the respondent's language: `pick` for a language -> text mapping of an instrument; `t`
for an interface text of the respondent and interviewer screens, translated through Django's gettext.

Each key names an English message; the Italian and Spanish translations live in
locale/<language>/LC_MESSAGES/django.po (compiled by `manage.py compilemessages`, which every
`make` target that serves or tests runs). Questionnaire texts (wordings, choices) are not here:
they belong to the instrument files.
"""
from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

LANGUAGES = ("en", "it", "es")

TEXTS: dict[str, str] = {
    "required": _('This question needs an answer.'),
    "quota_closed_title": _("Thank you for your time"),
    "quota_closed": _("We have already received enough answers from firms like yours, so we do not need to ask you "
                      "any more questions. Thank you very much for your help: there is nothing else you need to do."),
    "not_number": _('Please enter a number.'),
    "too_big": _("This number is too large."),
    "ambiguous": _("“{typed}” can be read as {a} or as {b}. Please write {plain_a} or {plain_b}."),
    "hidden_answer": _("Answered although skip logic hides this question."),
    "error_summary_title": _("There is a problem"),
    "error_prefix": _("Error:"),
    "total": _("Total"),
    "draft_restored": _("The answers you typed here before leaving the page are shown again; they are saved when "
                        "you continue."),
    "submit_incomplete_page": _("The questionnaire has not been sent yet: this page still needs answers."),
    "filter_list": _("Type to narrow the list"),
    "about_title": _("About this survey"),
    "about_who": _("Who runs the survey"),
    "about_why": _("Why we ask"),
    "about_use": _("How your answers are used"),
    "about_contact": _("Contact"),
    "decimals": _('Use at most {n} decimal places.'),
    "decimals0": _('Please enter a whole number.'),
    "min": _('The smallest allowed value is {v}.'),
    "max": _('The largest allowed value is {v}.'),
    "year": _('Please enter a year between {a} and {b}.'),
    "choice": _('Please choose one of the listed answers.'),
    "max_sel": _('Choose at most {n}.'),
    "min_sel": _('Choose at least {n}.'),
    "exclusive": _('“{label}” cannot be combined with other answers.'),
    "other": _('Please specify “{label}”.'),
    "sum100": _('The parts must add up to 100 (now {total}).'),
    "date": _('Please enter a date as YYYY-MM-DD.'),
    "date_range": _('Please enter a date between {a} and {b}.'),
    "too_long": _('Please use at most {n} characters.'),
    "check": _('Please check this answer.'),
    "confirm_warning": _('I have checked: the answer is correct.'),
    "next": _('Save and continue'),
    "back": _('Back'),
    "review": _('Review your answers'),
    "submit": _('Submit the questionnaire'),
    "start": _('Start'),
    "resume": _('Continue where you stopped'),
    "page_of": _('Page {n} of {total}'),
    "saved_note": _('Your answers are saved on every page. You can stop and come back with the same link.'),
    "errors_on_page": _('Some answers need your attention; see the messages next to the questions.'),
    "conflict": _("These answers were changed in another window or tab meanwhile. The page now shows the "
                  "saved answers; please check them and save again."),
    "thanks": _('Thank you! Your questionnaire has been submitted.'),
    "print": _('Print a copy of your answers'),
    "edit": _('Change'),
    "no_answer": _('(no answer)'),
    "closed": _('This survey is closed.'),
    "invalid_link": _('This link is not valid. Please check the address in your invitation.'),
    "language": _('Language'),
    "progress": _('Progress'),
    "submit_incomplete": _('Some pages still need answers before you can submit.'),
    "missing_DK": _("Don't know"),
    "missing_RF": _('Refused'),
    "yes": _('Yes'),
    "no": _('No'),
    "optional": _('optional'),
    "definition": _('Definition'),
    "other_specify": _('Other, please specify'),
    "register_title": _('Your company in our register'),
    "register_intro": _('These data come from the business register. Please confirm them or correct what is wrong.'),
    "register_sector": _('Sector (NACE / Ateco code)'),
    "register_size": _('Number of employees'),
    "register_district": _('District'),
    "register_confirm": _('Confirm these data'),
    "register_done": _('Thank you: the data were confirmed on {date}.'),
    "handover_title": _('Should a colleague answer instead?'),
    "handover_intro": _("Tell us who will answer: our reminders will go to them. Then send them the address "
                        "of this page."),
    "handover_name": _("Colleague's name"),
    "handover_email": _("Colleague's e-mail"),
    "handover_phone": _('Phone (optional)'),
    "handover_submit": _('Pass the questionnaire on'),
    "handover_done": _('Recorded: {name} is now the contact person for this questionnaire.'),
    "download_pdf": _('Download your answers (PDF)'),
}


def pick(texts: dict | None, language: str | None = None) -> str:
    """The text of a language -> text mapping in that (else the active) language, falling back to English."""
    if not texts:
        return ""
    language = language or translation.get_language() or "en"
    return texts.get(language[:2]) or texts.get("en") or next(iter(texts.values()), "")


def t(key: str, language: str = "en", **values) -> str:
    """The text `key` in `language` (English where a translation is missing), with values filled in."""
    text = gettext_in(TEXTS[key], language)
    return text.format(**values) if values else text


def gettext_in(message: str, language: str) -> str:
    """A message marked elsewhere (gettext_noop) in `language`."""
    with translation.override((language or "en")[:2]):
        return gettext(message)


def t_all(key: str, languages=LANGUAGES) -> dict[str, str]:
    """The text in several languages, as questionnaire labels are stored ({"en": ..., "it": ...})."""
    return {language: t(key, language) for language in languages}

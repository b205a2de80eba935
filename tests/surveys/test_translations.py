"""Every interface text is translated: no empty or fuzzy entry in any catalogue, placeholders kept."""
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

from surveys.questionnaire.areas import AREA_NAMES, OTHER_AREA
from surveys.questionnaire.texts import TEXTS, t

CATALOGUES = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)s")


def test_there_is_a_catalogue_per_interface_language():
    assert {p.parts[-3] for p in CATALOGUES} >= {"it", "es"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_catalogue_has_no_missing_or_fuzzy_translation(path):
    catalogue = polib.pofile(str(path))
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == [], f"{path.parts[-3]}: {len(missing)} untranslated or fuzzy: {missing[:5]}"
    for entry in catalogue:
        for translation in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            wanted = PLACEHOLDER.findall(entry.msgid_plural or entry.msgid)
            assert sorted(wanted) == sorted(PLACEHOLDER.findall(translation)), entry.msgid


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_respondent_text_is_in_the_catalogue(path):
    msgids = {e.msgid for e in polib.pofile(str(path))}
    wanted = set(TEXTS.values()) | set(AREA_NAMES.values()) | {OTHER_AREA}
    assert sorted(wanted - msgids) == []


def test_texts_come_from_the_compiled_catalogues():
    assert t("next", "it") == "Salva e continua" and t("next", "es") == "Guardar y continuar"
    assert t("page_of", "es", n=2, total=5) == "Página 2 de 5"

"""The texts the display tables add to stored results (notes, legends, heads, stored column labels)
follow the viewer's language; `manage.py report` and the tests' default stay English."""
from django.utils import translation

from analytics.results.presentation import column_label, conf_note, flag_note, report_head, weighted_heads


def test_notes_and_heads_in_italian_and_spanish():
    with translation.override("it"):
        assert "riservato" in conf_note() and "p%" in conf_note()
        assert "cautela" in flag_note() and "16.6%" in flag_note()
        assert weighted_heads() == ("ES", "IC 95%", "CV %")
        assert column_label("All respondents") == "Tutti i rispondenti"
        assert report_head({"title": "T", "n": 5})[2][0] == "Asterischi"
    with translation.override("es"):
        assert column_label("Whole sample") == "Muestra completa"
        assert "confidencial" in conf_note()


def test_english_texts_unchanged():
    with translation.override("en"):
        assert conf_note().startswith("C = confidential: fewer than 3 contributors")
        assert "(p% rule, p = 10)" in conf_note()
        assert flag_note().endswith("(CV above 33.3%), value not shown.")
        assert weighted_heads() == ("SE", "95% CI", "CV %")
        assert column_label("Exporters") == "Exporters"  # a label of the questionnaire's own stays as it is
        assert report_head({"title": "T", "n": 5})[1] == ["Base", "submitted responses, N = 5"]


def test_file_reading_errors_in_the_staff_language():
    import io

    import pytest

    from surveys.tabular import ImportFileError, table_read

    with translation.override("it"), pytest.raises(ImportFileError, match="Il file è vuoto"):
        table_read(io.BytesIO(b""))
    late_nul = b"a,b\n" + b"1,2\n" * 1100 + b"1,\x002\n"  # past the first 4 KB: not taken for a binary file
    with translation.override("es"), pytest.raises(ImportFileError, match="línea 1102: el archivo contiene"):
        table_read(io.BytesIO(late_nul))

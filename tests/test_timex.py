"""Time expressions: finding them in token lists and normalising them against a document date."""

from __future__ import annotations

from datetime import date

import pytest

from kg.extract.timex import TimeValue, direction_of, find_time_expression, normalise

# The sample article's date is a Thursday.
THU = "2025-02-13"

# (expression, document date, tense, modality, expected value, expected precision); value None: no date.
NORMALISE_CASES = [
    # weekdays by tense
    ("am Montag", THU, "past", None, "2025-02-10", "day"),
    ("am Montag", THU, "future", None, "2025-02-17", "day"),
    ("am Montag", THU, "present", None, "2025-02-17", "day"),
    ("am Montag", THU, "present", "planned", "2025-02-17", "day"),
    ("am Montag", THU, "past", "planned", "2025-02-17", "day"),
    ("am Montag", THU, None, None, "2025-02-10", "day"),
    ("am Sonntag", THU, None, None, "2025-02-16", "day"),
    ("am Donnerstag", THU, "past", None, "2025-02-13", "day"),
    ("am Donnerstag", THU, "future", None, "2025-02-13", "day"),
    ("am Freitag", THU, "past", None, "2025-02-07", "day"),
    ("am Sonnabend", THU, "future", None, "2025-02-15", "day"),
    ("am Montagabend", THU, "past", None, "2025-02-10", "day"),
    ("Dienstagmorgen", THU, "past", None, "2025-02-11", "day"),
    ("am vergangenen Montag", THU, "future", None, "2025-02-10", "day"),
    ("am kommenden Donnerstag", THU, "past", None, "2025-02-20", "day"),
    ("vergangenen Donnerstag", THU, None, None, "2025-02-06", "day"),
    ("diesen Freitag", THU, "past", None, "2025-02-14", "day"),
    ("am Montag", "2025-01-01", "past", None, "2024-12-30", "day"),
    ("am Freitag", "2024-12-30", "future", None, "2025-01-03", "day"),
    ("am Dienstag, dem 4. Februar", THU, "past", None, "2025-02-04", "day"),  # the date wins over the weekday
    ("Montag, 3. März 2025", THU, "future", None, "2025-03-03", "day"),
    ("Montag vergangener Woche", THU, "past", None, "2025-02-03", "day"),
    ("Freitag nächster Woche", THU, "past", None, "2025-02-21", "day"),
    ("am gestrigen Mittwoch", THU, "past", None, "2025-02-12", "day"),
    ("am heutigen Donnerstag", THU, "present", None, "2025-02-13", "day"),
    ("am morgigen Tag", "2024-02-28", "future", None, "2024-02-29", "day"),
    ("in der Nacht zum Sonntag", THU, "past", None, "2025-02-09", "day"),
    # relative days, across month, year and leap days
    ("gestern", THU, "past", None, "2025-02-12", "day"),
    ("heute", THU, "present", None, "2025-02-13", "day"),
    ("morgen", THU, "future", None, "2025-02-14", "day"),
    ("vorgestern", THU, "past", None, "2025-02-11", "day"),
    ("übermorgen", THU, "future", None, "2025-02-15", "day"),
    ("heute Morgen", THU, "past", None, "2025-02-13", "day"),
    ("gestern Abend", "2025-01-01", "past", None, "2024-12-31", "day"),
    ("gestern", "2024-03-01", "past", None, "2024-02-29", "day"),
    ("gestern", "2023-03-01", "past", None, "2023-02-28", "day"),
    ("morgen", "2024-02-28", "future", None, "2024-02-29", "day"),
    ("morgen", "2025-12-31", "future", None, "2026-01-01", "day"),
    # weeks (ISO, Monday to Sunday)
    ("vergangene Woche", THU, "past", None, "2025-02-03/2025-02-09", "week"),
    ("letzte Woche", THU, "past", None, "2025-02-03/2025-02-09", "week"),
    ("in der vergangenen Woche", THU, "past", None, "2025-02-03/2025-02-09", "week"),
    ("nächste Woche", THU, "future", None, "2025-02-17/2025-02-23", "week"),
    ("in der kommenden Woche", THU, "future", None, "2025-02-17/2025-02-23", "week"),
    ("diese Woche", THU, "present", None, "2025-02-10/2025-02-16", "week"),
    ("nächste Woche", "2025-12-31", "future", None, "2026-01-05/2026-01-11", "week"),
    ("Ende der Woche", THU, "future", None, "2025-02-14/2025-02-16", "interval"),
    ("Ende vergangener Woche", THU, "past", None, "2025-02-07/2025-02-09", "interval"),
    ("Mitte nächster Woche", THU, "future", None, "2025-02-19/2025-02-20", "interval"),
    # weekends
    ("am Wochenende", THU, "past", None, "2025-02-08/2025-02-09", "interval"),
    ("am Wochenende", THU, "future", None, "2025-02-15/2025-02-16", "interval"),
    ("am Wochenende", "2025-02-16", "past", None, "2025-02-15/2025-02-16", "interval"),
    ("am vergangenen Wochenende", "2025-02-16", "past", None, "2025-02-08/2025-02-09", "interval"),
    ("am kommenden Wochenende", THU, "present", None, "2025-02-15/2025-02-16", "interval"),
    # dates with and without a year
    ("am 29. Oktober", THU, "past", None, "2024-10-29", "day"),
    ("am 29. Oktober", THU, "future", None, "2025-10-29", "day"),
    ("am 29. Oktober 2023", THU, "future", None, "2023-10-29", "day"),
    ("am 3. Februar", THU, "past", None, "2025-02-03", "day"),
    ("am 20. Februar", THU, "past", None, "2024-02-20", "day"),
    ("am 20. Februar", THU, None, None, "2025-02-20", "day"),
    ("am 29. Februar", THU, "past", None, "2024-02-29", "day"),
    ("am 29. Februar", THU, "future", None, "2028-02-29", "day"),
    ("am 29. Februar 2023", THU, "past", None, None, None),
    ("am 30. Februar", THU, "past", None, None, None),
    ("am 24.12.2024", THU, "past", None, "2024-12-24", "day"),
    ("am 1. Januar", "2024-12-20", "future", None, "2025-01-01", "day"),
    ("seit dem 24. Februar 2022", THU, "past", None, "2022-02-24", "day"),
    # months, parts of months, seasons
    ("im Juni", THU, "future", None, "2025-06", "month"),
    ("im Juni", THU, "past", None, "2024-06", "month"),
    ("im Februar", THU, "past", None, "2025-02", "month"),
    ("im Dezember", "2025-01-10", "past", None, "2024-12", "month"),
    ("im Januar", "2025-11-10", "future", None, "2026-01", "month"),
    ("im Mai 2026", THU, "past", None, "2026-05", "month"),
    ("Ende August", THU, "past", None, "2024-08-21/2024-08-31", "interval"),
    ("Ende August", THU, "future", None, "2025-08-21/2025-08-31", "interval"),
    ("Ende Februar", "2024-02-01", "future", None, "2024-02-21/2024-02-29", "interval"),
    ("Anfang März", THU, "future", None, "2025-03-01/2025-03-10", "interval"),
    ("Mitte Juni 2024", THU, "future", None, "2024-06-11/2024-06-20", "interval"),
    ("im Sommer", THU, "future", None, "2025-06-01/2025-08-31", "interval"),
    ("im Sommer", THU, "past", None, "2024-06-01/2024-08-31", "interval"),
    ("im Herbst 2024", THU, "past", None, "2024-09-01/2024-11-30", "interval"),
    ("im Winter", "2024-01-15", None, None, "2023-12-01/2024-02-29", "interval"),
    ("im vergangenen Monat", THU, "past", None, "2025-01", "month"),
    ("nächsten Monat", "2025-12-05", "future", None, "2026-01", "month"),
    ("Ende des Monats", THU, "future", None, "2025-02-21/2025-02-28", "interval"),
    # years
    ("2023", THU, "past", None, "2023", "year"),
    ("im Jahr 2019", THU, "past", None, "2019", "year"),
    ("Anfang 2024", THU, "past", None, "2024-01-01/2024-04-30", "interval"),
    ("Ende 2025", THU, "future", None, "2025-09-01/2025-12-31", "interval"),
    ("im vergangenen Jahr", THU, "past", None, "2024", "year"),
    ("nächstes Jahr", THU, "future", None, "2026", "year"),
    ("dieses Jahr", THU, "future", None, "2025", "year"),
    ("Ende des Jahres", THU, "future", None, "2025-09-01/2025-12-31", "interval"),
    ("Anfang nächsten Jahres", THU, "future", None, "2026-01-01/2026-04-30", "interval"),
    # ago / from now
    ("vor drei Tagen", THU, "past", None, "2025-02-10", "day"),
    ("vor drei Tagen", "2025-01-01", "past", None, "2024-12-29", "day"),
    ("vor 14 Tagen", "2024-03-10", "past", None, "2024-02-25", "day"),
    ("in zwei Wochen", THU, "future", None, "2025-02-24/2025-03-02", "week"),
    ("vor einer Woche", THU, "past", None, "2025-02-03/2025-02-09", "week"),
    ("vor einem Monat", "2025-03-31", "past", None, "2025-02", "month"),
    ("vor zwei Monaten", "2025-01-15", "past", None, "2024-11", "month"),
    ("vor einem Jahr", "2024-02-29", "past", None, "2023", "year"),
    ("in drei Jahren", THU, "future", None, "2028", "year"),
    # expressions without a date of their own, and non-times
    ("kürzlich", THU, "past", None, None, None),
    ("zuletzt", THU, "past", None, None, None),
    ("Montag-Demonstrationen", THU, "past", None, None, None),
    ("am Morgen", THU, "past", None, None, None),
    ("vor Russland", THU, "past", None, None, None),
    ("in den 1970er Jahren", THU, "past", None, None, None),
]


@pytest.mark.parametrize("expression, doc_date, tense, modality, value, precision", NORMALISE_CASES,
                         ids=[f"{c[0]}|{c[1]}|{c[2]}|{c[3]}" for c in NORMALISE_CASES])
def test_normalise(expression, doc_date, tense, modality, value, precision):
    got = normalise(expression, doc_date, tense, modality)
    if value is None:
        assert got is None
    else:
        assert got is not None, expression
        assert (got.value, got.precision) == (value, precision)
        assert not got.report_date
        assert got.begin <= got.end


def test_enough_cases():
    assert len(NORMALISE_CASES) + len(FIND_CASES) >= 60


@pytest.mark.parametrize("expression", ["am Montag", "gestern", "im Juni", None])
def test_no_document_date_no_date(expression):
    assert normalise(expression, None, "past") is None


def test_no_expression_is_the_report_date():
    got = normalise(None, THU, "past")
    assert got == TimeValue(date(2025, 2, 13), date(2025, 2, 13), "day", report_date=True)
    assert got.value == "2025-02-13"


@pytest.mark.parametrize("tense, modality, expected", [
    ("past", None, "past"), ("present", None, "present"), ("future", None, "future"),
    ("past", "planned", "future"), (None, None, None), (None, "planned", "future"),
])
def test_direction(tense, modality, expected):
    assert direction_of(tense, modality) == expected


# (sentence as tokens, optional STTS tags, expected expression text or None)
FIND_CASES = [
    ("Scholz traf am Montag Macron .", None, "am Montag"),
    ("Scholz traf gestern Macron .", None, "gestern"),
    ("Heute trifft Scholz Macron .", None, "Heute"),
    ("Scholz will Macron morgen treffen .", None, "morgen"),
    ("Scholz trifft Macron am Morgen .", None, None),
    ("Scholz traf Macron vergangene Woche .", None, "vergangene Woche"),
    ("Scholz trifft Macron nächste Woche .", None, "nächste Woche"),
    ("Scholz traf Macron am 29. Oktober in Paris .", None, "am 29. Oktober"),
    ("Scholz traf Macron am 29. Oktober 2024 .", None, "am 29. Oktober 2024"),
    ("Im Juni reist Scholz nach Paris .", None, "Im Juni"),
    ("Scholz will Macron Ende August treffen .", None, "Ende August"),
    ("Anfang 2024 traf Scholz Macron .", None, "Anfang 2024"),
    ("Scholz traf Macron 2023 in Paris .", "NE VVFIN NE CARD APPR NE $.", "2023"),
    ("Scholz schickte 2000 Soldaten .", "NE VVFIN CARD NN $.", None),
    ("Scholz traf Macron vor drei Tagen .", None, "vor drei Tagen"),
    ("Scholz warnte vor Russland .", None, None),
    ("Scholz trifft Macron in zwei Wochen .", None, "in zwei Wochen"),
    ("Scholz traf Macron am Wochenende .", None, "am Wochenende"),
    ("Am Montagabend telefonierte Scholz mit Macron .", None, "Am Montagabend"),
    ("Die Montag-Demonstrationen gehen weiter .", None, None),
    ("Die Montag - Demonstrationen gehen weiter .", None, None),
    ("August Hanning warnte Russland .", None, None),
    ("Scholz traf Macron im vergangenen Jahr .", None, "im vergangenen Jahr"),
    ("Scholz traf Macron am vergangenen Montag .", None, "am vergangenen Montag"),
    ("Scholz traf Macron am 24.12.2024 .", None, "am 24.12.2024"),
    ("Scholz will Macron im Sommer treffen .", None, "im Sommer"),
    ("Scholz sprach im Sommerinterview .", None, None),
    ("Der Sommer war heiß .", None, None),
    ("Scholz traf Macron kürzlich .", None, "kürzlich"),
    ("Scholz traf am Dienstag , dem 4. Februar Macron .", None, "am Dienstag , dem 4. Februar"),
    ("Scholz traf Macron am Montag vergangener Woche .", None, "am Montag vergangener Woche"),
    ("Scholz traf Macron am gestrigen Mittwoch .", None, "am gestrigen Mittwoch"),
    ("Die gestrigen Gespräche waren gut .", None, None),
    ("Scholz traf Macron in den 1970er Jahren .", None, None),
]


@pytest.mark.parametrize("sentence, tags, expected", FIND_CASES, ids=[c[0] for c in FIND_CASES])
def test_find_time_expression(sentence, tags, expected):
    words = sentence.split()
    span = find_time_expression(words, tags.split() if tags else None)
    got = " ".join(words[span[0]:span[1]]) if span else None
    assert got == expected


def test_accuracy_over_all_cases():
    """The figure the README reports: share of cases right (each case is also its own test)."""
    right = 0
    for expression, doc_date, tense, modality, value, precision in NORMALISE_CASES:
        got = normalise(expression, doc_date, tense, modality)
        right += (got is None) if value is None else (got is not None and (got.value, got.precision) == (value, precision))
    for sentence, tags, expected in FIND_CASES:
        words = sentence.split()
        span = find_time_expression(words, tags.split() if tags else None)
        right += (" ".join(words[span[0]:span[1]]) if span else None) == expected
    total = len(NORMALISE_CASES) + len(FIND_CASES)
    assert right / total >= 0.95, f"{right}/{total}"


@pytest.fixture(scope="module")
def nlp():
    from kg.nlp.pipeline import make_nlp

    return make_nlp(cache_dir=None)


# Whole sentences through the pipeline: the extractor's time expression, the clause's tense
# and the modality give the statement's date in a document of 2025-02-13 (a Thursday).
PIPELINE_CASES = [
    ("Scholz traf Macron am Montag in Paris.", "am Montag", "2025-02-10", "day"),
    ("Scholz will Macron am Montag treffen.", "am Montag", "2025-02-17", "day"),
    ("Scholz kann Macron am Montag treffen.", "am Montag", "2025-02-17", "day"),
    ("Scholz traf gestern Macron.", "gestern", "2025-02-12", "day"),
    ("Scholz wird Macron im Juni treffen.", "im Juni", "2025-06", "month"),
    ("Scholz traf Macron am 29. Oktober.", "am 29. Oktober", "2024-10-29", "day"),
    ("Macron telefonierte am Montagabend mit Scholz.", "am Montagabend", "2025-02-10", "day"),
    ("Scholz traf Macron vor drei Tagen.", "vor drei Tagen", "2025-02-10", "day"),
    ("Scholz trifft Macron in zwei Wochen.", "in zwei Wochen", "2025-02-24/2025-03-02", "week"),
    ("Scholz traf Macron 2023 in Berlin.", "2023", "2023", "year"),
    ("Scholz traf Macron Ende August.", "Ende August", "2024-08-21/2024-08-31", "interval"),
    ("Scholz traf Macron am Wochenende.", "am Wochenende", "2025-02-08/2025-02-09", "interval"),
    ("Am vergangenen Freitag empfing Scholz Macron in Berlin.", "Am vergangenen Freitag", "2025-02-07", "day"),
    ("Nächste Woche wird Scholz Macron besuchen.", "Nächste Woche", "2025-02-17/2025-02-23", "week"),
    ("Scholz hatte Macron im vergangenen Jahr getroffen.", "im vergangenen Jahr", "2024", "year"),
    ("Scholz traf Macron.", None, "2025-02-13", "day"),
    ("Die Montag-Demonstrationen lehnte Scholz ab, er traf Macron.", None, "2025-02-13", "day"),
]


@pytest.mark.parametrize("text, expression, value, precision", PIPELINE_CASES, ids=[c[0] for c in PIPELINE_CASES])
def test_statement_dates_through_the_pipeline(nlp, text, expression, value, precision):
    from kg.event_table import statement_date
    from kg.extract.document import extract_text

    (st,) = [s for s in extract_text(nlp, text, "d").statements if s.relation == "meets"]
    assert st.time == expression
    got = statement_date(st, "2025-02-13")
    assert (got.value, got.precision, got.report_date) == (value, precision, expression is None)

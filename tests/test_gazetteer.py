"""The actor gazetteer: coverage, consistency, and agreement with CLDR."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.gazetteer import load_gazetteer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def test_all_un_member_states_with_german_names(gaz):
    states = [a for a in gaz.actors.values() if a.kind == "state"]
    assert len(states) >= 193
    labels = {a.label for a in states}
    assert {"Russland", "Ukraine", "China", "Deutschland", "Frankreich", "Saudi-Arabien", "Südkorea"} <= labels
    assert all(a.iso2 and re.fullmatch(r"[a-z]{2}", a.iso2) for a in states)


@pytest.mark.parametrize("surface,key", [
    ("Moskau", "state/ru"), ("Kreml", "state/ru"), ("Washington", "state/us"), ("Weißes Haus", "state/us"),
    ("Kiew", "state/ua"), ("Kyjiw", "state/ua"), ("Peking", "state/cn"), ("Brüssel", "org/eu"),
    ("NATO", "org/nato"), ("OSZE", "org/osze"), ("G7", "org/g7"), ("Putin", "person/wladimir-putin"),
])
def test_metonyms_capitals_and_names(gaz, surface, key):
    assert gaz.surfaces[surface].actor == key


@pytest.mark.parametrize("stem,key", [("russisch", "state/ru"), ("ukrainisch", "state/ua"),
                                      ("chinesisch", "state/cn"), ("us-amerikanisch", "state/us")])
def test_adjectives(gaz, stem, key):
    assert gaz.adjectives[stem] == key


def test_persons_have_role_country_and_valid_qids(gaz):
    persons = [a for a in gaz.actors.values() if a.kind == "person"]
    assert len(persons) >= 150
    for p in persons:
        assert p.role and p.country in gaz.actors, p
        assert p.wikidata is None or re.fullmatch(r"Q[1-9][0-9]*", p.wikidata)
    assert gaz.actors["person/wladimir-putin"].wikidata == "Q7747"


def test_organisations_include_the_main_ones(gaz):
    orgs = {a.key for a in gaz.actors.values() if a.kind == "organization"}
    assert {"org/eu", "org/nato", "org/un", "org/g7", "org/g20", "org/osze"} <= orgs


def test_gazetteer_checks_pass_and_states_csv_is_current():
    pytest.importorskip("babel")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_gazetteer.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_whole_gazetteer_converts_to_rdf(gaz):
    from rdflib import Graph

    from kg.rdfio.rdf import actor_triples

    g = Graph()
    for actor in gaz.actors.values():
        for t in actor_triples(actor):
            g.add(t)
    assert len(g) > 1000

"""The starting FRAC dictionary the project ships, and the checks that guard any dictionary file."""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from community.competencies.dictionary import (
    DEFAULT_PATH,
    Dictionary,
    DictionaryError,
    load_dictionary,
    validate_dictionary,
)

TAXONOMY = Path(__file__).parents[3] / "shared/data/igot-competency-taxonomy.json"


@pytest.fixture(scope="module")
def shipped() -> Dictionary:
    return load_dictionary()


@pytest.fixture
def document() -> dict[str, Any]:
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def platform_sub_themes() -> list[tuple[str, str, str]]:
    if not TAXONOMY.exists():
        pytest.skip(f"the platform taxonomy is not at {TAXONOMY}; it is kept beside the repository, "
                    "not in it")
    areas = json.loads(TAXONOMY.read_text(encoding="utf-8"))
    return [(area["name"], theme["name"], sub)
            for area in areas
            for theme in area["competency_theme"]
            for sub in theme["competency_sub_theme"]]


def test_shipped_dictionary_loads_with_all_three_kinds(shipped: Dictionary) -> None:
    counts = Counter(c.kind for c in shipped.competencies)
    assert set(counts) == {"behavioural", "functional", "domain"}
    assert shipped.version
    assert [step.name for step in shipped.scale][0] == "Basic"
    assert [step.name for step in shipped.scale][-1] == "Expert"


def test_every_platform_sub_theme_is_a_competency_under_its_theme(shipped: Dictionary) -> None:
    expected = platform_sub_themes()
    present = {(c.area, c.theme, c.name): c.kind for c in shipped.competencies
               if c.kind != "domain"}
    missing = [entry for entry in expected if entry not in present]
    assert not missing
    assert all(present[entry] == entry[0].lower() for entry in expected)


def test_no_behavioural_or_functional_competency_outside_the_platform_taxonomy(
        shipped: Dictionary) -> None:
    expected = set(platform_sub_themes())
    extra = [c.id for c in shipped.competencies
             if c.kind != "domain" and (c.area, c.theme, c.name) not in expected]
    assert not extra


def test_domain_competencies_for_at_least_five_ministries(shipped: Dictionary) -> None:
    owners = Counter(c.owner for c in shipped.of_kind("domain"))
    with_three = [owner for owner, count in owners.items() if count >= 3]
    assert len(with_three) >= 5
    assert all(owner and owner.startswith(("Ministry", "Department")) for owner in owners)


def test_at_least_ten_positions_each_requiring_competencies(shipped: Dictionary) -> None:
    assert len(shipped.positions) >= 10
    for position in shipped.positions:
        requirements = position.requirements()
        assert requirements, position.id
        assert all(1 <= level <= 5 for level in requirements.values())
        assert all(role.activities for role in position.roles)


def test_positions_draw_on_every_kind_of_competency(shipped: Dictionary) -> None:
    kinds = {shipped.competency(cid).kind
             for position in shipped.positions for cid in position.requirements()}
    assert kinds == {"behavioural", "functional", "domain"}


def test_level_descriptors_are_distinct_within_each_competency(shipped: Dictionary) -> None:
    for competency in shipped.competencies:
        texts = [level.description for level in competency.levels]
        assert len(set(texts)) == 5, competency.id


def test_descriptions_are_written_for_each_competency(shipped: Dictionary) -> None:
    descriptions = Counter(c.description for c in shipped.competencies)
    assert descriptions.most_common(1)[0][1] == 1
    assert all(c.description != c.name for c in shipped.competencies)


def test_provenance_separates_platform_names_from_project_writing(shipped: Dictionary) -> None:
    platform, project = shipped.provenance.platform, shipped.provenance.project
    assert platform.repository == "KB-iGOT/cbp-ai-service"
    assert platform.path == "data/competencies.json"
    assert platform.commit == "27636e5"
    assert any("description" in part for part in project.parts)
    assert any("positions" in part for part in project.parts)
    assert any("domain" in part for part in project.parts)


def test_requirements_keep_the_highest_level_an_activity_needs(shipped: Dictionary) -> None:
    position = shipped.position("pos.cbic.assistant-commissioner-cgst")
    levels = [required.level
              for role in position.roles for activity in role.activities
              for required in activity.competencies
              if required.competency == "dom.revenue.gst-administration"]
    assert len(levels) > 1
    assert position.requirements()["dom.revenue.gst-administration"] == max(levels)


# --- broken copies --------------------------------------------------------------------------


def first_requirement(document: dict[str, Any]) -> dict[str, Any]:
    return document["positions"][0]["roles"][0]["activities"][0]["competencies"][0]


def unknown_competency(document: dict[str, Any]) -> str:
    first_requirement(document)["competency"] = "dom.nowhere.unknown-skill"
    position = document["positions"][0]
    role = position["roles"][0]
    return (f"position {position['id']!r}, role {role['name']!r}, "
            f"activity {role['activities'][0]['name']!r} "
            "requires unknown competency 'dom.nowhere.unknown-skill'")


def four_levels(document: dict[str, Any]) -> str:
    del document["competencies"][2]["levels"][-1]
    return f"competency {document['competencies'][2]['id']!r} must have exactly five levels"


def duplicate_id(document: dict[str, Any]) -> str:
    clone = copy.deepcopy(document["competencies"][0])
    clone["name"] = "Another name"
    document["competencies"].append(clone)
    return f"competency id {clone['id']!r} is used more than once"


def level_six_required(document: dict[str, Any]) -> str:
    first_requirement(document)["level"] = 6
    return f"positions[{document['positions'][0]['id']!r}]"


def level_six_described(document: dict[str, Any]) -> str:
    document["competencies"][5]["levels"][4]["level"] = 6
    return f"competencies[{document['competencies'][5]['id']!r}].levels"


def duplicate_position(document: dict[str, Any]) -> str:
    document["positions"].append(copy.deepcopy(document["positions"][1]))
    return f"position id {document['positions'][1]['id']!r} is used more than once"


def same_competency_twice_in_an_activity(document: dict[str, Any]) -> str:
    activity = document["positions"][0]["roles"][0]["activities"][0]
    activity["competencies"].append(dict(activity["competencies"][0]))
    return f"lists competency {activity['competencies'][0]['competency']!r} twice"


def domain_without_owner(document: dict[str, Any]) -> str:
    domain = next(c for c in document["competencies"] if c["kind"] == "domain")
    del domain["owner"]
    return f"competency {domain['id']!r}: a domain competency names its owner"


def behavioural_with_owner(document: dict[str, Any]) -> str:
    document["competencies"][0]["owner"] = "Ministry of Railways"
    return f"competency {document['competencies'][0]['id']!r}: a domain competency names its owner"


@pytest.mark.parametrize("breakage", [
    unknown_competency, four_levels, duplicate_id, level_six_required, level_six_described,
    duplicate_position, same_competency_twice_in_an_activity, domain_without_owner,
    behavioural_with_owner,
])
def test_a_broken_copy_is_refused_naming_the_entry(
        breakage: Callable[[dict[str, Any]], str], document: dict[str, Any],
        tmp_path: Path) -> None:
    expected = breakage(document)
    path = tmp_path / "frac.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(DictionaryError) as caught:
        load_dictionary(path)
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)
    assert len(caught.value.problems) == 1


def test_every_bad_entry_in_a_document_is_reported_at_once(document: dict[str, Any]) -> None:
    expected = [four_levels(document), level_six_required(document)]
    with pytest.raises(DictionaryError) as caught:
        validate_dictionary(document)
    assert len(caught.value.problems) == len(expected)
    for text in expected:
        assert any(text in problem for problem in caught.value.problems)


def test_malformed_json_is_reported_by_line(tmp_path: Path) -> None:
    path = tmp_path / "frac.json"
    path.write_text('{\n  "version": "1",\n  "competencies": [,]\n}', encoding="utf-8")
    with pytest.raises(DictionaryError, match="line 3"):
        load_dictionary(path)


def test_an_intact_copy_loads_from_another_path(document: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert load_dictionary(path) == load_dictionary()

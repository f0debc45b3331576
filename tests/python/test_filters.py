"""dls.filters: predicates evaluated in Python agree with the same predicates pushed down into
the store's scan; composition, text form, by_predicate."""

from __future__ import annotations

import datetime as dt

import pytest

import dls
from dls import filters as F
from dls.filters import Predicate, by_predicate, split_pushdown
from dls.models import DeltaLiveEntity


@pytest.fixture
def populated(store):
    def e(i, **kw):
        kw.setdefault("read_options", {"cloudFiles.format": "csv"})
        return DeltaLiveEntity(entity_id=str(i), source=f"/src/{i}", destination=f"t{i}", **kw)

    store.upsert([
        e(1, group="g1", tags={"layer": "bronze"}),
        e(2, group="g1", tags={"layer": "silver", "pii": "yes"}, destination_type="view"),
        e(3, group="g2", is_enabled=False),
        e(4, source_format="csv", read_options={}),
        e(5, group="g2", tags={"layer": "bronze"}),
    ])
    # Second versions of 1 and 5, so history has non-latest rows.
    store.upsert([e(1, group="g1", tags={"layer": "bronze"}, comment="v2"), e(5, group="g2", tags={"layer": "gold"})])
    return store


def predicates(history):
    created = sorted(h.created_ts for h in history)
    mid = created[len(created) // 2]
    some_id = history[0].id
    return [
        F.by_all(),
        F.by_id(some_id),
        F.by_entity_id("1"),
        F.by_entitiy_id("2"),
        F.by_group("g1"),
        F.by_group(None),
        F.by_destination_type("view"),
        F.by_has_tag("layer"),
        F.by_has_tag_value("layer", "bronze"),
        F.by_source("/src/3"),
        F.by_destination("t4"),
        F.by_is_enabled(),
        F.by_is_enabled(False),
        F.by_is_latest(),
        F.by_is_latest(False),
        F.by_is_streaming(False),
        F.by_created_ts_between(created[0], mid),
        F.by_created_ts_between("2000-01-01T00:00:00Z", dt.datetime(2100, 1, 1)),
        F.by_created_by("tester"),
        F.by_modified_by("tester"),
        F.by_reference_ts(mid),
        F.by_group("g1") & F.by_is_enabled() | F.by_has_tag_value("layer", "gold"),
        F.by_group("g1") & (F.by_is_enabled() | F.by_has_tag("pii")),
        ~(F.by_group("g2") | F.by_group("g1")) & ~~F.by_is_latest(),
        ~F.by_has_tag("layer") | (F.by_is_streaming() & ~F.by_destination_type("table")),
    ]


def ids(entities):
    return sorted((e.entity_id, e.id) for e in entities)


def test_every_filter_gives_the_same_entities_in_python_and_pushed_down(populated):
    history = populated.find_history()
    assert len(history) == 7
    latest_all = populated.find_entities(F.by_all())
    for p in predicates(history):
        assert p.to_text() is not None, p
        pushed_history = populated.find_history(p)
        python_history = [h for h in history if p(h)]
        assert ids(pushed_history) == ids(python_history), repr(p)
        pushed_latest = populated.find_entities(p)
        python_latest = [e for e in latest_all if p(e)]
        assert ids(pushed_latest) == ids(python_latest), repr(p)
        # A Python-only wrapper forces evaluation in Python through the store: same result.
        wrapped = by_predicate(lambda e, p=p: p(e), "wrapped")
        assert ids(populated.find_history(wrapped)) == ids(pushed_history), repr(p)


def test_text_form_matches_the_cli_grammar():
    p = F.by_group("g") & ~F.by_is_enabled() | F.by_has_tag_value("k", "it's")
    assert p.to_text() == "by_group('g') & ~by_is_enabled(true) | by_has_tag_value('k', 'it\\'s')"
    assert (F.by_all() & (F.by_group("a") | F.by_group("b"))).to_text() == "by_all() & (by_group('a') | by_group('b'))"
    assert repr(by_predicate(lambda e: True, "mine")) == "by_predicate('mine')"
    assert F.by_group("a") == F.by_group("a") and F.by_group("a") != F.by_group("b")


def test_mixed_predicate_is_split_into_pushdown_and_python_parts():
    custom = by_predicate(lambda e: e.entity_id.startswith("1"))
    text, rest = split_pushdown(F.by_group("g1") & custom & (F.by_is_enabled() | F.by_is_latest()))
    assert text == "by_group('g1') & (by_is_enabled(true) | by_is_latest(true))"
    assert rest == [custom]
    text, rest = split_pushdown(custom | F.by_group("x"))
    assert text == "by_all()" and len(rest) == 1


def test_predicates_are_callable_and_compose_with_python_functions(populated):
    latest = populated.find_entities(F.by_all())
    starts_with_t = Predicate(lambda e: e.destination.startswith("t"))
    p = starts_with_t & F.by_group("g1") & ~by_predicate(lambda e: e.destination_type == "view")
    assert [e.entity_id for e in latest if p(e)] == ["1"]
    assert [e.entity_id for e in populated.find_entities(p)] == ["1"]
    disabled = populated.disable(by_predicate(lambda e: e.entity_id == "4"))
    assert disabled.updated == ["4"]


def test_bad_filter_arguments_raise_invalid_metadata():
    with pytest.raises(dls.InvalidMetadataError):
        F.by_group(3)  # type: ignore[arg-type]
    with pytest.raises(dls.InvalidMetadataError):
        F.by_created_ts_between("not a time", "2024-01-01")
    with pytest.raises(TypeError):
        F.by_group("a") & (lambda e: True)  # type: ignore[operator]

"""The roll-ups over the built-in modules as installed (entry points), with their demo data:
every module's metrics compute in a real township, typed and labelled, and the county views
answer with what the modules' rules produced."""

from __future__ import annotations

import numbers

import pytest
import time_machine

from tests.obligations.test_tally import assert_in_step
from tests.rollups.conftest import rollup
from zerenzhi.labels import render
from zerenzhi.obligations.materialize import ensure_periodic
from zerenzhi.obligations.periods import parse
from zerenzhi.plugin_host.service import load_demo_data


@pytest.fixture
def zz_plugins():
    return []


@pytest.fixture
def zz_load_entrypoints():
    return True


@time_machine.travel("2026-09-15T09:00:00+08:00", tick=False)
def test_every_installed_module_reports_numbers(app, township):
    installed = app.extensions["zerenzhi"].plugins.installed
    for name in installed:
        township.enable(name)
    with township.scope() as sess:
        load_demo_data(sess)
        ensure_periodic(sess, parse("2026"))
        sess.commit()
    counted = assert_in_step(township)  # every module's ledger writes kept the stored counts
    assert sum(counted.values()) > 20
    result = rollup(township, "metrics", period="2026").assert_status(200).json
    row = result["townships"][0]
    assert row["failed"] == [] and row["disabled"] == []
    assert {m["plugin"] for m in result["metrics"]} <= set(installed)
    assert all(m["label"] and m["type"] for m in result["metrics"])
    assert all(v is None or isinstance(v, numbers.Real) for v in row["values"].values())
    assert set(row["values"]) == {m["key"] for m in result["metrics"]}
    compliance = rollup(township, "compliance", period="2026H1").assert_status(200).json
    assert compliance["totals"]["required"] > 0
    for view in ("compliance", "overdue", "trend", "metrics"):
        rollup(township, view, format="xlsx").assert_status(200)


def _record_texts(app, township) -> set[str]:
    """Every text value in the modules' own tables and the township's people, as stored."""
    from sqlalchemy import String, Text, select

    from zerenzhi.auth.models import Member
    from zerenzhi.db.base import Base

    prefixes = tuple(p.manifest.table_prefix
                     for p in app.extensions["zerenzhi"].plugins.installed.values())
    texts: set[str] = set()
    with township.scope() as sess:
        texts.update(sess.scalars(select(Member.display_name)))
        for table in Base.metadata.sorted_tables:
            if not table.name.startswith(prefixes):
                continue
            for column in table.columns:
                if isinstance(column.type, String | Text) and column.name != "tenant_id":
                    texts.update(v for v in sess.execute(select(column)).scalars()
                                 if isinstance(v, str))
    # prose and names (CJK or several words), not codes, ids or period labels
    return {t for t in texts if len(t) >= 4 and (" " in t.strip() or any(
        "\u4e00" <= ch <= "\u9fff" for ch in t))}


@time_machine.travel("2026-09-15T09:00:00+08:00", tick=False)
def test_no_module_record_text_reaches_the_county(app, township):
    """Whatever the modules store (titles, minutes, findings, names), the roll-ups carry
    none of it: only counts, rates, rule titles, unit names and roles."""
    for name in app.extensions["zerenzhi"].plugins.installed:
        township.enable(name)
    with township.scope() as sess:
        load_demo_data(sess)
        ensure_periodic(sess, parse("2026"))
        sess.commit()
    texts = _record_texts(app, township)
    assert len(texts) > 20  # the demo data wrote real records
    with township.scope() as sess:
        from sqlalchemy import select

        from zerenzhi.orgunits.models import OrgUnit

        allowed = set(sess.scalars(select(OrgUnit.name)))  # unit names and rule titles
    allowed |= {render(rule.title, language) for rule in app.extensions["zerenzhi"].rules
                for language in ("zh-Hans", "zh-Hant", "en")}
    body = "\n".join(
        rollup(township, view, format=fmt, **params).assert_status(200).raw.get_data(
            as_text=True)
        for view, params in (("compliance", {"period": "2026"}), ("overdue", {}),
                             ("trend", {}), ("metrics", {"period": "2026"}))
        for fmt in ("json", "csv"))
    leaked = sorted(t for t in texts - allowed if t in body)
    assert not leaked, leaked

"""Throwaway plugins for the roll-up tests: ``tally`` (rules shaped like docs/domain.md's R1, W3
and R3, plus two metrics reading core tables: one set-based, one per township only), ``hello``
with a per-township metric that reads its own table (as a third-party plugin written before
the set-based form), and ``rogue``, whose metrics misbehave in both forms (text instead of a
number, an exception, a township left out)."""

from __future__ import annotations

from sqlalchemy import func, select
from zerenzhi_hello.models import Greeting  # installed by scripts/_venv.sh
from zerenzhi_hello.plugin import HelloPlugin

from zerenzhi import Label, Manifest, RollupMetric, RuleDef, hookimpl, require_tenant
from zerenzhi.obligations.models import Fulfilment

MEETING, STUDY, REPORT = "tally.special_meeting", "tally.branch_study", "tally.major_report"
RULES = [
    RuleDef(MEETING, "R1", Label("專題會議", "Special meeting"), "half_year", ("committee",),
            "secretary", Label("會議記錄", "Meeting"), min_count=1),
    RuleDef(STUDY, "W3", Label("集中學習", "Centralised study"), "half_year", ("branch",),
            "branch_secretary", Label("學習記錄", "Study session"), min_count=2),
    RuleDef(REPORT, "R3", Label("重大情況報告", "Major situation report"), "event",
            ("committee",), "secretary", Label("報告", "Report"), deadline_hours=24),
]
ROGUE_SECRET = "ROGUE-SECRET-從不上報"


def _entries(session, period) -> int:
    return session.scalar(select(func.count(Fulfilment.id)).where(
        Fulfilment.rule_key.like("tally.%"), Fulfilment.archived_at.is_(None),
        Fulfilment.occurred_on.between(period.start, period.end))) or 0


def _entries_per_township(session, period, townships) -> dict:
    """``_entries`` of every township at once (in the county's read scope)."""
    counts = dict(session.execute(
        select(Fulfilment.tenant_id, func.count(Fulfilment.id)).where(
            Fulfilment.rule_key.like("tally.%"), Fulfilment.archived_at.is_(None),
            Fulfilment.occurred_on.between(period.start, period.end))
        .group_by(Fulfilment.tenant_id)).all())
    return {township: counts.get(township, 0) for township in townships}


def _meeting_share(session, period) -> float | None:
    require_tenant()  # runs in the township's own scope
    held = session.scalar(select(func.count(Fulfilment.id)).where(
        Fulfilment.rule_key == MEETING, Fulfilment.archived_at.is_(None),
        Fulfilment.occurred_on.between(period.start, period.end))) or 0
    total = _entries(session, period)
    return round(held / total, 4) if total else None


class TallyPlugin:
    manifest = Manifest(name="tally", version="0.1", title=Label("計數", "Tally"))

    @hookimpl
    def register_rules(self):
        return RULES

    @hookimpl
    def register_rollup_metrics(self):
        return [
            RollupMetric("tally.entries", Label("記錄次數", "Entries"), "count", _entries,
                         unit=Label("次", "times"), compute_for_townships=_entries_per_township),
            RollupMetric("tally.meeting_share", Label("會議佔比", "Share of meetings"), "rate",
                         _meeting_share),
        ]


def _greetings(session, period) -> int:
    return session.scalar(select(func.count(Greeting.id)).where(
        Greeting.archived_at.is_(None),
        func.date(Greeting.greeted_at) >= period.start,
        func.date(Greeting.greeted_at) <= period.end)) or 0


class CountedHello(HelloPlugin):
    """The example plugin, plus a metric over its own table."""

    @hookimpl
    def register_rollup_metrics(self):
        return [RollupMetric("hello.greetings", Label("問候次數", "Greetings"), "count",
                             _greetings)]


def _leak(_session, _period):
    return ROGUE_SECRET


def _crash(_session, _period):
    raise RuntimeError("metric bug")


def _leak_all(_session, _period, townships):
    return dict.fromkeys(townships, ROGUE_SECRET)


def _crash_all(session, _period, _townships):
    session.execute(select(func.count(Fulfilment.id)))  # a statement, then the bug
    raise RuntimeError("set-based metric bug")


def _silent(_session, _period, _townships):
    return {}  # answers for no township


class RoguePlugin:
    manifest = Manifest(name="rogue", version="0.1", title=Label("流氓", "Rogue"))

    @hookimpl
    def register_rollup_metrics(self):
        return [RollupMetric("rogue.leak", Label("洩露", "Leak"), "number", _leak),
                RollupMetric("rogue.crash", Label("崩潰", "Crash"), "count", _crash),
                RollupMetric("rogue.leak_all", Label("全洩露", "Leak all"), "number", _leak,
                             compute_for_townships=_leak_all),
                RollupMetric("rogue.crash_all", Label("全崩潰", "Crash all"), "count", _crash,
                             compute_for_townships=_crash_all),
                RollupMetric("rogue.silent", Label("沉默", "Silent"), "count", _crash,
                             compute_for_townships=_silent)]

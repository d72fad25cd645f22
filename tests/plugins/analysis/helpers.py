"""Small builders for the analysis stories."""

from __future__ import annotations

import datetime as dt

from zerenzhi.testing import statements_of

DOMAINS = ("theory", "news_opinion", "culture_arts", "social_opinion", "ideas_morality",
           "online_opinion")
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=TZ)


def section(domain: str) -> dict:
    return {"domain": domain, "mainstream": f"{domain}: 主流積極健康",
            "minor_currents": "個別消極言論", "prominent_problems": "宣傳覆蓋不足",
            "proposed_measures": "加強陣地管理"}


def body(domain: str) -> dict:
    data = section(domain)
    data.pop("domain")
    return data


def half_year(held_on: str, domains=DOMAINS, **extra) -> dict:
    return {"kind": "half_year", "title": "上半年意識形態領域情況分析研判", "held_on": held_on,
            "sections": [section(d) for d in domains], **extra}


def item(summary: dict, rule: str, unit_id) -> dict:
    return next(i for i in summary["items"]
                if i["rule"] == rule and i["unit_id"] == str(unit_id))


def status(client, world, period: str, rule: str, unit: str = "committee") -> dict:
    summary = client.get(f"{world.base}/obligations/summary?period={period}").assert_status(200)
    return item(summary.json, rule, world.units[unit])


statements = statements_of  # the kit's: (statements, body) of a GET after a warm-up

"""Helpers for the accountability tests."""

from __future__ import annotations

import json


def case_body(world, **extra) -> dict:
    return {"title": "東村廣播陣地管理失職", "subject_kind": "leading_cadre",
            "subject_unit_id": str(world.units["village-1"]),
            "subject_member_id": str(world.users["unit_head"]), "subject_post": "村委會主任",
            "circumstances": ["K6", "K13"], "facts": "廣播轉播未經審核的外來音頻。", **extra}


def open_case(world, client: str = "secretary", **extra) -> dict:
    return world.client(client).post(f"{world.base}/accountability/cases",
                                     json=case_body(world, **extra)).assert_status(201).json


def step(world, case_id: str, name: str, body: dict | None = None, client: str = "secretary"):
    return world.client(client).post(f"{world.base}/accountability/cases/{case_id}/{name}",
                                     json=body or {})


def audit(world, **filters) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    response = world.client("secretary").get(f"{world.base}/audit?page_size=100&{query}")
    return response.assert_status(200).json


def total(response) -> int:
    return json.loads(response.headers["X-Pagination"])["total"]

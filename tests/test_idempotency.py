"""Idempotency-Key on creation (docs/architecture.md, API conventions): a retried POST does not
create twice; the same key with another body is refused."""

from __future__ import annotations


def _unit(code: str, world) -> dict:
    return {"code": code, "name": "新支部", "kind": "branch",
            "parent_id": str(world.units["committee"])}


def test_same_key_same_body_answers_the_first_response_again(township):
    client = township.client("secretary")
    headers = {"Idempotency-Key": "create-branch-9"}
    first = client.post(f"{township.base}/units", json=_unit("branch-9", township),
                        headers=headers).assert_status(201)
    again = client.post(f"{township.base}/units", json=_unit("branch-9", township),
                        headers=headers).assert_status(201)
    assert again.json == first.json
    assert again.headers.get("Idempotent-Replayed") == "true"
    units = client.get(f"{township.base}/units?kind=branch").json
    assert [u["code"] for u in units].count("branch-9") == 1


def test_same_key_other_body_is_422_and_changes_nothing(township):
    client = township.client("secretary")
    headers = {"Idempotency-Key": "k-1"}
    client.post(f"{township.base}/units", json=_unit("branch-7", township),
                headers=headers).assert_status(201)
    other = client.post(f"{township.base}/units", json=_unit("branch-8", township),
                        headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]["headers"]
    codes = [u["code"] for u in client.get(f"{township.base}/units").json]
    assert "branch-8" not in codes


def test_keys_belong_to_one_user(township):
    headers = {"Idempotency-Key": "shared"}
    township.client("secretary").post(f"{township.base}/units",
                                      json=_unit("branch-5", township), headers=headers)
    office = township.client("office").post(f"{township.base}/units",
                                            json=_unit("branch-6", township), headers=headers)
    assert office.assert_status(201).json["code"] == "branch-6"

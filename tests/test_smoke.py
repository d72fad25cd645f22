"""The first story: a township user logs in and reads their org tree (W4)."""


def test_secretary_reads_me_and_units(township):
    me = township.client("secretary").get("/api/v1/me").assert_status(200).json
    assert me["tenant"]["slug"] == township.slug
    assert [p["role"] for p in me["positions"]] == ["secretary"]
    units = township.client("secretary").get(f"{township.base}/units").assert_status(200).json
    assert {u["code"] for u in units} == {
        "committee", "office", "branch-1", "branch-2", "village-1", "station-1"}

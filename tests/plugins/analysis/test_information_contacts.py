"""A1: "其他相關部門密切配合，指定專人負責，及時準確提供有關情況" — each department or unit
names a person who supplies its information (the ``information_contacts`` setting); every
contribution asked of the unit records that person, or the one the request names."""

from __future__ import annotations

from tests.plugins.analysis.helpers import at, half_year


def test_a1_a_contribution_names_the_units_designated_person(town, time_machine):
    time_machine.move_to(at("2026-05-01"))
    admin, office = town.client("tenant_admin"), town.client("office")
    head = str(town.users["unit_head"])  # head of village-1
    settings = f"{town.base}/plugins/analysis"
    assert admin.get(settings).json["settings"]["information_contacts"] == {}
    admin.put(settings, json={"settings": {"information_contacts": {
        str(town.units["village-1"]): "not-an-id"}}}).assert_status(422)
    admin.put(settings, json={"settings": {"information_contacts": {
        str(town.units["village-1"]): head}}}).assert_status(200)

    analysis = office.post(f"{town.base}/analysis/analyses",
                           json=half_year("2026-04-28", ("theory",))).json
    url = f"{town.base}/analysis/analyses/{analysis['id']}/contributions"
    village = office.post(url, json={"unit_id": str(town.units["village-1"])})
    village = village.assert_status(201).json
    assert village["contact_member_id"] == head and village["contact_name"]
    station = office.post(url, json={"unit_id": str(town.units["station-1"])}).json
    assert station["contact_member_id"] is None  # the station named nobody: visible

    named = office.post(url, json={"unit_id": str(town.units["station-1"]),
                                   "contact_member_id": str(town.users["office"])})
    assert named.assert_status(201).json["contact_member_id"] == str(town.users["office"])
    unknown = office.post(url, json={"unit_id": str(town.units["station-1"]),
                                     "contact_member_id": "00000000-0000-0000-0000-000000000000"})
    assert "contact_member_id" in unknown.assert_status(422).json["errors"]["json"]

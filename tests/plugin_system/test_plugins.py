"""The plugin system: discovery with broken plugins reported, per-township enablement,
layered settings, disabled means absent (docs/architecture.md, Plugins)."""

from __future__ import annotations

from sqlalchemy import select

from zerenzhi.plugin_host.models import TenantPlugin


def test_broken_plugins_are_reported_and_left_out(app):
    plugins = app.extensions["zerenzhi"].plugins
    assert "throwaway" in plugins.installed
    assert "broken" not in plugins.installed
    problems = "\n".join(plugins.problems)
    assert "'broken'" in problems and "register_routes" in problems
    assert "NoManifestPlugin" in problems and "manifest" in problems


def test_disabled_module_answers_404_naming_it(township, throwaway):
    response = township.client("secretary").get(f"{township.base}/throwaway/greeting")
    assert response.status_code == 404
    assert "throwaway" in response.json["message"]


def test_enable_with_settings_then_use_them(township, throwaway):
    admin = township.client("tenant_admin")
    state = admin.put(f"{township.base}/plugins/throwaway",
                      json={"settings": {"min_count": 24}}).assert_status(200).json
    assert state["enabled"] is True
    assert state["settings"] == {"min_count": 24, "label": "默認"}
    assert state["settings_source"] == {"min_count": "township", "label": "default"}
    greeting = township.client("secretary").get(f"{township.base}/throwaway/greeting")
    assert greeting.assert_status(200).json == {"township": township.slug, "min_count": 24}
    assert throwaway.calls == [("on_enable", township.slug)]


def test_bad_settings_are_422_and_change_nothing(township, throwaway):
    admin = township.client("tenant_admin")
    for bad in ({"min_count": -1}, {"min_count": "many"}, {"colour": "red"}):
        response = admin.put(f"{township.base}/plugins/throwaway", json={"settings": bad})
        assert response.status_code == 422, bad
        assert "settings" in response.json["errors"]["json"]
    state = admin.get(f"{township.base}/plugins/throwaway").assert_status(200).json
    assert state["enabled"] is False and state["township_settings"] == {}
    assert throwaway.calls == []


def test_county_layer_sits_between_defaults_and_township(township, throwaway):
    county = township.client("county_admin")
    county.put(f"/api/v1/counties/{township.county_slug}/plugins/throwaway",
               json={"settings": {"min_count": 4, "label": "縣定"}}).assert_status(200)
    admin = township.client("tenant_admin")
    state = admin.put(f"{township.base}/plugins/throwaway",
                      json={"settings": {"label": "鎮定"}}).assert_status(200).json
    assert state["settings"] == {"min_count": 4, "label": "鎮定"}
    assert state["settings_source"] == {"min_count": "county", "label": "township"}


def test_disable_keeps_data_and_hides_routes(township, throwaway):
    admin = township.client("tenant_admin")
    admin.put(f"{township.base}/plugins/throwaway", json={"settings": {}}).assert_status(200)
    admin.delete(f"{township.base}/plugins/throwaway").assert_status(200)
    response = township.client("secretary").get(f"{township.base}/throwaway/greeting")
    assert response.status_code == 404
    with township.scope() as sess:
        row = sess.scalar(select(TenantPlugin).where(TenantPlugin.plugin == "throwaway"))
    assert row is not None and row.enabled is False
    assert throwaway.calls == [("on_enable", township.slug), ("on_disable", township.slug)]


def test_enablement_is_per_township(township, other_township, throwaway):
    township.client("tenant_admin").put(f"{township.base}/plugins/throwaway", json={})
    assert township.client("secretary").get(
        f"{township.base}/throwaway/greeting").status_code == 200
    assert other_township.client("secretary").get(
        f"{other_township.base}/throwaway/greeting").status_code == 404


def test_disabled_plugin_hook_never_runs_for_that_township(app, township, other_township,
                                                          throwaway):
    from zerenzhi import emit

    township.enable("throwaway")
    for world in (township, other_township):
        with world.scope() as sess:
            emit(sess, "record.created", record_type="test")
    assert throwaway.calls == [("on_event:record.created", township.slug)]


def test_settings_that_stop_validating_disable_the_plugin(app, township, throwaway, caplog):
    township.enable("throwaway", {"min_count": 5000})  # as if stored before an upgrade
    response = township.client("secretary").get(f"{township.base}/throwaway/greeting")
    assert response.status_code == 404
    assert "no longer validate" in response.json["message"]
    state = township.client("tenant_admin").get(f"{township.base}/plugins/throwaway").json
    assert state["enabled"] is False and "no longer validate" in state["problem"]
    assert any("disabled" in r.getMessage() for r in caplog.records)


def test_enabling_is_audited(township, throwaway):
    township.client("tenant_admin").put(f"{township.base}/plugins/throwaway",
                                        json={"settings": {"min_count": 3}})
    entries = township.client("secretary").get(
        f"{township.base}/audit?target_type=tenant_plugin").assert_status(200).json
    assert entries[0]["action"] == "tenant_plugin.create"
    assert entries[0]["after"]["settings"] == {"min_count": 3}


def test_labels_follow_accept_language(township, throwaway):
    client = township.client("secretary")
    titles = {lang: client.get(f"{township.base}/plugins/throwaway",
                               headers={"Accept-Language": lang}).json["title"]
              for lang in ("zh-Hant", "zh-CN", "en")}
    assert titles == {"zh-Hant": "測試模塊", "zh-CN": "测试模块", "en": "Throwaway"}

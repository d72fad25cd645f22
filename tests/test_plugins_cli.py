"""``zerenzhi plugins list``: every installed plugin with its version, source and title,
the townships that enabled it, and the problems found at start-up (issue 3, Discovery).

The app here loads entry points (so the example distribution ``zerenzhi-hello`` is in it)
and gets two explicit plugins: a sound one and one that breaks the contract.
"""

from __future__ import annotations

import pytest

from zerenzhi import Label, Manifest, hookimpl
from zerenzhi.commands.plugins import register
from zerenzhi.plugin_host.models import TenantPlugin


class ProbePlugin:
    manifest = Manifest(name="cli_probe", version="9.9", title=Label("探針模塊", "Probe"))


class ContractBreaker:
    manifest = Manifest(name="cli_broken", version="0.1", title=Label("壞", "Broken"))

    @hookimpl
    def register_routes(self):  # no such hook: the manager leaves the plugin out
        return []


@pytest.fixture
def zz_plugins():
    return [ProbePlugin(), ContractBreaker()]


def _plugins_list(app, *args: str) -> str:
    if "plugins" not in app.cli.commands:  # until zerenzhi.commands wires it for every app
        register(app.cli)
    result = app.test_cli_runner().invoke(args=["plugins", "list", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _block(output: str, name: str) -> list[str]:
    """The line naming plugin ``name`` and its indented lines."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name} "))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("  ")),
               len(lines))
    return lines[start:end]


def test_lists_name_version_source_title_and_enabling_townships(app, township, other_township):
    township.client("tenant_admin").put(f"{township.base}/plugins/hello",
                                        json={}).assert_status(200)
    output = _plugins_list(app)
    hello = _block(output, "hello")
    assert hello[0] == "hello 0.1.0 (zerenzhi-hello==0.1.0) 问候"
    enabled = hello[1].removeprefix("  enabled in: ").split(", ")
    assert township.slug in enabled and other_township.slug not in enabled
    probe = _block(output, "cli_probe")
    assert probe == ["cli_probe 9.9 (explicit) 探针模块", "  enabled in: no township"]


def test_titles_in_the_chosen_script(app):
    assert _block(_plugins_list(app, "--language", "en"), "hello")[0].endswith(" Greetings")
    assert _block(_plugins_list(app, "--language", "zh-Hant"), "hello")[0].endswith(" 問候")


def test_reports_plugins_left_out_at_start_up(app):
    output = _plugins_list(app)
    assert "cli_broken" not in app.extensions["zerenzhi"].plugins.installed
    problems = output.split("problems at start-up:\n", 1)[1]
    assert "'cli_broken'" in problems and "register_routes" in problems
    assert not any(line.startswith("cli_broken ") for line in output.splitlines())


def test_shows_townships_where_a_problem_disabled_it(app, township):
    with township.scope() as sess:
        sess.add(TenantPlugin(plugin="cli_probe", enabled=False, settings={"x": 1},
                              problem="stored settings no longer validate"))
        sess.commit()
    probe = _block(_plugins_list(app), "cli_probe")
    assert f"  problem in {township.slug}: stored settings no longer validate" in probe

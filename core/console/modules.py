"""The township's modules and rules pages (issue 14): every installed module, enabled or
not, its settings form generated from the module's own settings schema, and the effective
rules with their clause, numbers, origin and version history.

Enabling, disabling and saving settings call the services behind ``routes.plugins``;
changing a rule's number calls ``versions.change`` as ``PATCH .../rules/<key>`` does, with
the same permissions on the views.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from zerenzhi.auth.permissions import requires
from zerenzhi.console.forms import Form
from zerenzhi.console.i18n import translate_errors
from zerenzhi.console.pages import bp, render_page
from zerenzhi.db.session import session as db_session
from zerenzhi.db.session import writing
from zerenzhi.labels import render
from zerenzhi.obligations import versions
from zerenzhi.obligations.periods import period_of
from zerenzhi.plugin_host import service
from zerenzhi.routes.obligations import RulePatch
from zerenzhi.secrets import secret_fields
from zerenzhi.tenancy.clock import today
from zerenzhi.tenancy.context import require_tenant
from zerenzhi.web.pipeline import not_found


def N_(text: str) -> str:
    return text


# the services' own messages a page can meet, in this area's catalogue
SERVICE_MESSAGES = (
    N_("event rules have a deadline, not a count"),
    N_("between 0 and 366"),
    N_("periodic rules are due at the end of their period"),
    N_("each kind once"),
    N_("no stored value to keep: send the value"),
    N_("weights add up to 100"),
)
# what each built-in module is for; another module shows its package's docstring
DESCRIPTIONS = {
    "study": _l("Theory study, special studies and training of the committee and branches "
                "(W2, W3, M5)."),
    "reporting": _l("The committee's meetings on ideology work and its reports upward, with "
                    "major situations reported in time (R1–R3)."),
    "inspection": _l("The half-year special inspection: checks, findings and their "
                     "rectification, ratings and interviews (I1–I4)."),
    "accountability": _l("Accountability cases, decisions and referrals (K1–K13)."),
    "analysis": _l("Regular, forward-looking and ad-hoc situation analyses (A1–A4)."),
    "approvals": _l("Prior approval and filing of major activities (W6)."),
    "assessment": _l("The annual assessment of every unit (M4, I4)."),
    "deployments": _l("What higher levels deploy, each task an obligation due at its "
                      "deadline (W1)."),
    "platforms": _l("The organisation's own channels and their incidents (P1–P4, W7)."),
    "email": _l("Sends obligation reminders and other events to the township's mailboxes."),
    "webhook": _l("Sends obligation reminders and other events to a group-chat robot or any "
                  "HTTP endpoint, signed."),
}
SOURCE_LABELS = {"default": _l("product default"), "county": _l("the county's"),
                 "township": _l("this township's")}


def _url(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, township=g.zz_tenant.slug, **values)


def _can(permission: str) -> bool:
    return permission in g.zz_identity.permissions


def _installed_or_404(name: str):
    installed = service.installed(name)
    if installed is None:
        not_found()
    return installed


def _description(installed) -> str:
    if installed.name in DESCRIPTIONS:
        return str(DESCRIPTIONS[installed.name])
    module = inspect.getmodule(type(installed.plugin))
    package = inspect.getmodule(type(installed.plugin)).__package__ if module else None
    doc = inspect.getdoc(__import__(package, fromlist=["_"])) if package else None
    return (doc or "").split("\n\n")[0].replace("\n", " ")


# --- the settings form, generated from the module's schema --------------------------------


@dataclass
class SettingField:
    """One input of a generated settings form: ``kind`` picks the widget."""

    name: str
    kind: str  # number, checkbox, select, lines, date, secret, text, fixed
    field: ma.fields.Field
    value: Any = ""
    source: str = "default"
    choices: list[str] = field(default_factory=list)
    help: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    is_set: bool = False  # a secret: a value is stored
    children: list[SettingField] = field(default_factory=list)  # a group's inputs


def _one_of(declared: ma.fields.Field) -> list[str]:
    for validator in getattr(declared, "validators", ()):
        if isinstance(validator, ma.validate.OneOf):
            return [str(choice) for choice in validator.choices]
    return []


def _range(declared: ma.fields.Field) -> dict[str, Any]:
    for validator in getattr(declared, "validators", ()):
        if isinstance(validator, ma.validate.Range):
            return {key: value for key, value in
                    (("min", validator.min), ("max", validator.max)) if value is not None}
    return {}


FLAT = ("number", "checkbox", "select", "date", "text")


def _item(key: str, kind: str, declared: ma.fields.Field, value: Any) -> SettingField:
    """One input with its value as the form shows it."""
    item = SettingField(key, kind, declared,
                        help=str(declared.metadata.get("description", "")))
    if kind == "secret":
        item.is_set = value not in (None, "")
    elif kind == "lines":
        item.value = "\n".join(str(v) for v in value or ())
        item.choices = _one_of(declared.inner)
    elif kind == "fixed":
        item.value = json.dumps(value, ensure_ascii=False)
    elif kind == "group":
        item.children = [_item(f"{key}.{sub}", _kind(sub, inner, frozenset()), inner,
                               (value or {}).get(sub))
                         for sub, inner in declared.schema.fields.items() if not inner.dump_only]
    else:
        item.value = "" if value is None else value
        item.attrs = _range(declared) if kind == "number" else {}
        item.choices = _one_of(declared) if kind == "select" else []
    return item


def _kind(name: str, declared: ma.fields.Field, secrets: frozenset[str]) -> str:
    if name in secrets:
        return "secret"
    if isinstance(declared, ma.fields.Boolean):
        return "checkbox"
    if isinstance(declared, ma.fields.Integer | ma.fields.Float | ma.fields.Decimal):
        return "number"
    if isinstance(declared, ma.fields.Date):
        return "date"
    if isinstance(declared, ma.fields.List) and isinstance(declared.inner, ma.fields.String):
        return "lines"
    if isinstance(declared, ma.fields.String):
        return "select" if _one_of(declared) else "text"
    if isinstance(declared, ma.fields.Nested) and not declared.many and all(
            _kind(sub, inner, frozenset()) in FLAT
            for sub, inner in declared.schema.fields.items()):
        return "group"  # a flat nested schema (weights...): one input per field
    return "fixed"  # nested shapes: shown, kept as they are; the API changes them


def _fields(name: str, state: service.PluginState) -> list[SettingField]:
    schema_class = service.manifest_of(name).settings
    secrets = secret_fields(schema_class)
    found = []
    for key, declared in schema_class().fields.items():
        if declared.dump_only:
            continue
        item = _item(key, _kind(key, declared, secrets), declared, state.settings.get(key))
        item.source = state.sources.get(key, "default")
        found.append(item)
    return found


def _inherited(db, name: str) -> dict[str, Any]:
    """What the township gets without its own layer: the county's values over defaults."""
    try:
        return service.merge(name, service.county_layer(db, require_tenant(), name), {})[0]
    except service.SettingsInvalid:
        return {}


def _posted_layer(db, name: str, items: list[SettingField],
                  state: service.PluginState) -> tuple[dict[str, Any], dict[str, list]]:
    """The township's layer from the posted form: a value equal to the inherited one is
    left to inherit; a blank text field inherits; a blank secret keeps the stored one."""
    inherited = _inherited(db, name)
    layer: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for item in items:
        key, raw = item.name, request.form.get(item.name, "")
        if item.kind == "secret":
            if raw:
                layer[key] = raw
            elif key not in request.form.getlist("clear") \
                    and state.township_layer.get(key) not in (None, ""):
                layer[key] = {"set": True}
            continue
        if item.kind == "fixed":
            if key in state.township_layer:
                layer[key] = state.township_layer[key]
            continue
        if item.kind == "checkbox":
            value: Any = key in request.form
        elif item.kind == "group":
            value = {child.name.split(".", 1)[1]: _posted(child)
                     for child in item.children
                     if child.kind == "checkbox" or request.form.get(child.name, "").strip()}
        elif item.kind == "lines":
            value = [line.strip() for line in raw.splitlines() if line.strip()]
        elif not raw.strip():
            continue  # blank: inherit
        else:
            value = raw.strip()
        try:
            loaded = item.field.deserialize(value, key, {key: value})
            shown = item.field.serialize(key, {key: loaded})
        except ma.ValidationError as error:
            errors[key] = error.messages
            continue
        if shown != inherited.get(key) or key not in inherited:
            layer[key] = shown
    return layer, errors


def _posted(item: SettingField) -> Any:
    return item.name in request.form if item.kind == "checkbox" \
        else request.form.get(item.name, "").strip()


def _values_shown(items: list[SettingField]) -> None:
    """A refused form shows what was posted (secrets never)."""
    for item in items:
        if item.kind == "group":
            _values_shown(item.children)
        elif item.kind not in ("secret", "fixed"):
            item.value = _posted(item)


# --- pages ---------------------------------------------------------------------------------


def _module(db, name: str) -> dict[str, Any]:
    installed = service.installed(name)
    state = service.state(db, name)
    return {"name": name, "title": render(installed.manifest.title),
            "version": installed.manifest.version, "source": installed.source,
            "description": _description(installed), "enabled": state.enabled,
            "problem": state.problem, "fields": _fields(name, state)}


@bp.route("/townships/<township>/modules")
@requires("plugins.read")
def modules(township: str | None = None) -> str:
    """模塊: every installed module, enabled here or not, with its effective settings."""
    db = db_session()
    found = [_module(db, name) for name in sorted(service._plugins().installed)]
    found.sort(key=lambda m: (not m["enabled"], m["title"]))
    return render_page("console/modules.html", modules=found, can=_can,
                       source_labels=SOURCE_LABELS)


@bp.route("/townships/<township>/modules/<plugin>/enable", methods=["POST"])
@requires("plugins.manage")
def module_enable(plugin: str, township: str | None = None) -> Response:
    """Enable the module with its stored settings (``PUT .../plugins/<name>`` keeping them)."""
    installed = _installed_or_404(plugin)
    try:
        with writing() as db:
            service.enable(db, plugin, None)
    except service.SettingsInvalid:
        flash(_("%(module)s was not enabled: its settings do not validate. Correct them "
                "below and save.", module=render(installed.manifest.title)))
        return redirect(_url("console.module_settings", plugin=plugin))
    flash(_("%(module)s is enabled.", module=render(installed.manifest.title)))
    return redirect(_url("console.modules") + f"#module-{plugin}")


@bp.route("/townships/<township>/modules/<plugin>/disable", methods=["POST"])
@requires("plugins.manage")
def module_disable(plugin: str, township: str | None = None) -> Response:
    """Disable the module here; its records are kept (``DELETE .../plugins/<name>``)."""
    installed = _installed_or_404(plugin)
    with writing() as db:
        service.disable(db, plugin)
    flash(_("%(module)s is disabled. Its records are kept.",
            module=render(installed.manifest.title)))
    return redirect(_url("console.modules") + f"#module-{plugin}")


@bp.route("/townships/<township>/modules/<plugin>/settings", methods=["GET", "POST"])
@requires("plugins.manage")
def module_settings(plugin: str, township: str | None = None) -> Response | tuple[str, int]:
    """The module's settings form, generated from its schema; saving enables the module
    with this township's layer, as ``PUT .../plugins/<name>`` does."""
    _installed_or_404(plugin)
    db = db_session()
    module = _module(db, plugin)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        state = service.state(db, plugin)
        layer, refused = _posted_layer(db, plugin, module["fields"], state)
        errors = translate_errors(refused) if refused else {}
        if not errors:
            try:
                with writing() as session:
                    service.enable(session, plugin, layer)
            except service.SettingsInvalid as invalid:
                errors = translate_errors(invalid.messages)
            else:
                flash(_("The settings of %(module)s are saved and the module is enabled.",
                        module=module["title"]))
                return redirect(_url("console.modules") + f"#module-{plugin}")
        _values_shown(module["fields"])
    return render_page("console/modules_settings.html", module=module, errors=errors,
                       source_labels=SOURCE_LABELS), 422 if errors else 200


# --- rules ---------------------------------------------------------------------------------


def _history(rule, rows: list) -> list[dict[str, Any]]:
    """The township's versions of a rule, oldest first: from which period each number
    changed, and from what to what ("from 2026H2: 4 → 6")."""
    cadence = "year" if rule.cadence == "event" else rule.cadence
    before = {"min_count": rule.min_count, "deadline_hours": rule.deadline_hours,
              "enabled": True}
    steps = []
    for row in rows:
        now = {"min_count": row.min_count if row.min_count is not None else rule.min_count,
               "deadline_hours": row.deadline_hours if row.deadline_hours is not None
               else rule.deadline_hours, "enabled": row.enabled}
        changes = [(key, before[key], now[key]) for key in now if before[key] != now[key]]
        steps.append({"period": period_of(cadence, row.effective_from).label,
                      "from": row.effective_from, "changes": changes, "reason": row.reason})
        before = now
    return steps


def _rules(db) -> list[dict[str, Any]]:
    day = today()
    every = versions._versions(db)
    found = []
    for eff in versions.effective_rules(db, day):
        rule = eff.rule
        cadence = "year" if rule.cadence == "event" else rule.cadence
        found.append({
            "key": rule.key, "source": rule.source, "title": render(rule.title),
            "cadence": rule.cadence, "enabled": eff.enabled, "min_count": eff.min_count,
            "deadline_hours": eff.deadline_hours, "sources": eff.sources,
            "not_in_text": list(rule.not_in_text),
            "not_in_text_labels": [str(NUMBERS.get(n, n)) for n in rule.not_in_text],
            "evidence": render(rule.evidence),
            "plugin": rule.key.split(".")[0],
            "from_period": period_of(cadence, day).label,
            "history": _history(rule, [v for v in every if v.rule_key == rule.key])})
    return found


CADENCES = {"year": _l("every year"), "half_year": _l("every half-year"),
            "quarter": _l("every quarter"), "month": _l("every month"),
            "event": _l("on each event")}
NUMBERS = {"min_count": _l("Times required"), "deadline_hours": _l("Deadline (hours)"),
           "enabled": _l("Switched on"), "cadence": _l("Cadence")}


class RuleNumbers(RulePatch):
    """The page's form: the numbers and a reason (switching a rule off stays the API's)."""

    class Meta(RulePatch.Meta):
        exclude = ("enabled",)


def _rules_page(form: Form | None = None, failed: str | None = None) -> tuple[str, int]:
    form = form or Form(RuleNumbers)
    return render_page("console/rules.html", rules=_rules(db_session()), form=form,
                       failed=failed, can=_can, cadences=CADENCES, numbers=NUMBERS,
                       source_labels=SOURCE_LABELS), 422 if form.errors else 200


@bp.route("/townships/<township>/rules")
@requires("obligations.read")
def rules(township: str | None = None) -> tuple[str, int]:
    """規則: each effective rule with its clause, cadence, numbers and their origin."""
    return _rules_page()


@bp.route("/townships/<township>/rules/<rule_key>", methods=["POST"])
@requires("rules.write")
def rule_change(rule_key: str, township: str | None = None) -> Response | tuple[str, int]:
    """Change a rule's number from the current period on (``PATCH .../rules/<key>``)."""
    rule = next((r for r in versions.enabled_rules(db_session()) if r.key == rule_key), None)
    if rule is None:
        not_found()
    form = Form(RuleNumbers)
    if not form.validate():
        return _rules_page(form, rule_key)
    changes = {key: value for key, value in (form.data or {}).items()}
    if not {"min_count", "deadline_hours"} & changes.keys():
        form.fail("_schema", _("Enter the new number."))
        return _rules_page(form, rule_key)
    try:
        with writing() as db:
            row = versions.change(db, rule, changes, today())
    except versions.RuleChangeError as refused:
        form.errors = translate_errors(refused.fields)
        return _rules_page(form, rule_key)
    cadence = "year" if rule.cadence == "event" else rule.cadence
    flash(_("%(rule)s changed from %(period)s on; closed periods keep their numbers.",
            rule=render(rule.title), period=period_of(cadence, row.effective_from).label))
    return redirect(_url("console.rules") + f"#rule-{rule_key}")


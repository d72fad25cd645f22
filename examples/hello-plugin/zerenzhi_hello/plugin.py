"""The plugin object: its manifest (metadata, settings, migrations) and its hooks."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from sqlalchemy.orm import Session
from zerenzhi import InputSchema, Label, Manifest, Pages, Permission, RuleDef, hookimpl

from zerenzhi_hello import services
from zerenzhi_hello.pages import PAGES
from zerenzhi_hello.routes import blp
from zerenzhi_hello.rules import PERMISSIONS, QUARTERLY_GREETINGS

VERSION = "0.1.0"  # keep equal to pyproject's version: the API shows both


class HelloSettings(InputSchema):
    """A township's settings; unknown keys are rejected (``InputSchema``), so a typo in
    ``tenants/*.toml`` or a PUT is a 422, not a silently ignored value."""

    greetings_per_quarter = ma.fields.Integer(
        load_default=3, validate=ma.validate.Range(min=0, max=90),
        metadata={"description": "the target each greeting reports back; the obligation's own "
                                 "number is the rule's min_count (PATCH .../rules/<key>)"})


class HelloPlugin:
    manifest = Manifest(
        name="hello", version=VERSION, title=Label("問候", "Greetings"),
        settings=HelloSettings, migrations="zerenzhi_hello:migrations",
    )

    @hookimpl
    def register_blueprints(self) -> list[Blueprint]:
        return [blp]

    @hookimpl
    def register_permissions(self) -> list[Permission]:
        return PERMISSIONS

    @hookimpl
    def register_pages(self) -> Pages:
        """Its console page (a list of greetings and a form): see pages.py."""
        return PAGES

    @hookimpl
    def register_rules(self) -> list[RuleDef]:
        return [QUARTERLY_GREETINGS]

    @hookimpl
    def demo_data(self, session: Session) -> None:
        services.fill_demo(session)

    @hookimpl
    def describe_reference(self, session: Session, ref_type: str, ref_id: str) -> dict | None:
        if ref_type != "hello.greeting":
            return None  # another plugin's type: first non-None answer wins
        return services.describe(session, ref_id)

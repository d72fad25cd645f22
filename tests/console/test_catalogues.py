"""Every message of every page has its Traditional Chinese text, the Simplified catalogue is
the OpenCC conversion of it, and the compiled files match (issue 14, item 6)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import marshmallow as ma
from flask import g

from zerenzhi.console.i18n import translate_errors

ROOT = Path(__file__).resolve().parents[2]


def test_the_catalogues_are_complete_and_compiled():
    run = subprocess.run([sys.executable, "scripts/catalogues.py", "--check"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr


class _Meeting(ma.Schema):
    title = ma.fields.String(required=True, validate=ma.validate.Length(max=5))
    count = ma.fields.Integer(validate=ma.validate.Range(0, 366))


def test_field_messages_follow_the_page_language(app):
    bad = {"title": "far too long", "count": 400}
    try:
        _Meeting().load(bad)
    except ma.ValidationError as error:
        messages = error.messages
    with app.test_request_context("/login"):
        g.zz_language = "zh-Hant"
        assert translate_errors(messages) == {"title": ["超過最大長度 5。"],
                                              "count": ["須在 0 至 366 之間。"]}
        assert translate_errors({"title": ["Missing data for required field."]}) == {
            "title": ["此欄必填。"]}
    with app.test_request_context("/login"):
        g.zz_language = "zh-Hans"
        assert translate_errors({"title": ["Missing data for required field."]}) == {
            "title": ["此栏必填。"]}
    with app.test_request_context("/login"):
        g.zz_language = "en"
        assert translate_errors(messages)["title"] == ["Longer than maximum length 5."]

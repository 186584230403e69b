"""Form bodies, the embed snippet's escaping and the submit parser."""

from __future__ import annotations

import json

import pytest

from skailan.crm.capture import forms
from skailan.crm.capture.form_models import FormFieldOut
from skailan.platform.errors import Unprocessable


def test_script_json_cannot_close_the_script_tag():
    text = forms._script_json({"success": "</script><script>alert(1)</script>", "line": "a\u2028b"})
    assert "</script>" not in text and "\u2028" not in text
    assert json.loads(text) == {"success": "</script><script>alert(1)</script>", "line": "a\u2028b"}


def test_inputs_escape_labels_options_and_placeholders():
    field = FormFieldOut(key="custom:talla", label='Talla "<b>"', required=True, type="select",
                         options=["S", "<M>"], placeholder=None)
    markup = forms._input_html("F1", field)
    assert '<select id="sk-F1-custom-talla" name="custom:talla" required>' in markup
    assert "Talla &quot;&lt;b&gt;&quot; *" in markup and '<option value="&lt;M&gt;">' in markup
    text = FormFieldOut(key="email", label="Correo", required=False, type="email", placeholder='tu@"correo"')
    assert 'placeholder="tu@&quot;correo&quot;"' in forms._input_html("F1", text)


def test_bodies_are_json_or_html_form_posts():
    assert forms.parse_body('{"name": "Ana"}', "application/json") == {"name": "Ana"}
    assert forms.parse_body("name=Ana+P%C3%A9rez&consent=on&tags=a&tags=b",
                            "application/x-www-form-urlencoded; charset=utf-8") == {
        "name": "Ana Pérez", "consent": "on", "tags": ["a", "b"]}
    assert forms.parse_body(None, "application/json") == {}
    with pytest.raises(Unprocessable) as err:
        forms.parse_body("{nope", "application/json")
    assert err.value.details[0]["field"] == "body"


@pytest.mark.parametrize("form_id", ["", "../x", "a" * 65, "id with space", "FORM#1"])
def test_only_plain_ids_reach_the_table(form_id):
    assert not forms.is_valid_id(form_id)

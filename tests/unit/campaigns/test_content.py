"""Campaign content: SMS encoding and segment boundaries, merge fields with fallbacks, HTML checks."""

from __future__ import annotations

import pytest

from skailan.campaigns import content


@pytest.mark.parametrize(("text", "encoding", "characters", "segments"), [
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("€" * 80, "GSM-7", 160, 1),  # extension characters take two septets
    ("€" * 81, "GSM-7", 162, 2),
    ("ñandú é à ü ç", "UCS-2", 13, 1),  # ú is outside GSM-7 (é, à, ü, ñ are in it)
    ("á" + "a" * 69, "UCS-2", 70, 1),
    ("á" + "a" * 70, "UCS-2", 71, 2),
    ("á" + "a" * 133, "UCS-2", 134, 2),
    ("á" + "a" * 134, "UCS-2", 135, 3),
    ("🙂" * 35, "UCS-2", 70, 1),  # astral characters are two UTF-16 units
])
def test_sms_encoding_and_segments(text, encoding, characters, segments):
    info = content.sms_info(text)
    assert (info.encoding, info.characters, info.segments) == (encoding, characters, segments)


def test_merge_fields_with_fallbacks_custom_fields_and_brand():
    person = {"name": "Lucía Fernanda Pérez", "email": "l@example.com", "custom": {"plan": "oro"}}
    text = "Hola {{contact.first_name|amigo}} ({{contact.custom.plan|básico}}, {{contact.phone|sin teléfono}}) — {{ brand.name }}"
    assert content.render(text, person, {"name": "Demo"}) == "Hola Lucía (oro, sin teléfono) — Demo"
    assert content.render(text, {}, {"name": "Demo"}) == "Hola amigo (básico, sin teléfono) — Demo"
    assert content.unknown_fields(text) == []
    assert [path for path, _ in content.unknown_fields("{{contact.edad}} {{brand.logo}} {{otro.x}}")] == [
        "contact.edad", "brand.logo", "otro.x"]


def test_every_placeholder_is_a_known_merge_field_or_refused():
    """`{{name}}` (no prefix) would go out literally: it is as unknown as `{{contact.foo}}`."""
    assert content.unknown_fields("Hola {{name}}, {{ nombre | amigo }} {{contact.first_name|amigo}}") == [
        ("name", "{{name}}"), ("nombre", "{{ nombre | amigo }}")]
    assert content.unknown_fields("{{}} {{contact.first name}} {{contact.custom.plan.x}}") == [
        ("", "{{}}"), ("contact.first name", "{{contact.first name}}"),
        ("contact.custom.plan.x", "{{contact.custom.plan.x}}")]
    # custom fields: any key when the brand's keys are not given, else only those
    assert content.unknown_fields("{{contact.custom.plan|básico}}") == []
    assert content.unknown_fields("{{contact.custom.plan|básico}} {{contact.custom.edad}}", {"plan"}) == [
        ("contact.custom.edad", "{{contact.custom.edad}}")]
    assert content.unknown_fields("Precio {total} sin llaves dobles") == []


def test_active_html_and_plain_text():
    assert content.active_html("<p>x</p><SCRIPT>alert(1)</SCRIPT>")
    assert content.active_html('<img src=x onerror="alert(1)">')
    assert content.active_html('<a href="javascript:alert(1)">x</a>')
    assert not content.active_html('<p style="color:red">Oferta <a href="https://x.example/a">aquí</a></p>')
    text = content.plain_text('<html><head><style>p{}</style></head><body><h1>Hola</h1><p>Ver '
                              '<a href="https://x.example/a">la oferta</a></p></body></html>')
    assert text == "Hola\n\nVer la oferta (https://x.example/a)"
    assert content.links('<a href="https://a.example/1">x</a><a href="https://a.example/1">y</a>') == [
        "https://a.example/1"]


def test_fallbacks_written_like_the_email_module_render_without_quotes():
    from skailan.campaigns.content import render

    assert render('Hola {{contact.first_name | "amigo"}}', {}, {}) == "Hola amigo"
    assert render("Hola {{contact.first_name|amiga}}", {"name": "Ana Ruiz"}, {}) == "Hola Ana"


@pytest.fixture
def local_key(monkeypatch):
    """The development key (no Secrets Manager here, whatever an earlier test left in the env)."""
    from skailan.campaigns import tokens
    from skailan.platform.settings import get_settings

    monkeypatch.delenv("CAMPAIGN_LINK_SECRET_ARN", raising=False)
    monkeypatch.setenv("STAGE", "local")
    get_settings.cache_clear()
    tokens.reset()
    yield
    get_settings.cache_clear()
    tokens.reset()


def test_signed_tokens_refuse_forgeries_and_other_kinds(local_key):
    from skailan.campaigns import tokens

    token = tokens.sign("u", "demo", "01HZZZZZZZZZZZZZZZZZZZZZZZ", "01HYYYYYYYYYYYYYYYYYYYYYYY")
    found = tokens.verify(token, "u")
    assert found is not None and (found.tenant_id, found.kind) == ("demo", "u")
    assert tokens.verify(token, "c") is None  # an unsubscribe token is not a click token
    payload, _, mac = token.partition(".")
    assert tokens.verify(f"{payload}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}", "u") is None
    assert tokens.verify(payload, "u") is None and tokens.verify("", "u") is None
    other = tokens.sign("u", "acme", "01HZZZZZZZZZZZZZZZZZZZZZZZ", "01HYYYYYYYYYYYYYYYYYYYYYYY")
    assert tokens.verify(f"{other.partition('.')[0]}.{mac}", "u") is None  # a mac from another payload


def test_tracked_rewrites_only_stored_links_and_adds_pixel_and_footer(local_key):
    from skailan.campaigns import mail
    links = mail.Links("https://api.example", "demo", "01HZZZZZZZZZZZZZZZZZZZZZZZ", "01HYYYYYYYYYYYYYYYYYYYYYYY")
    html, text = mail.tracked({"html": '<body><a href="https://a.example/x?a=1&amp;b=2">A</a>'
                                       '<a href="https://other.example/">B</a></body>',
                               "text": "A (https://a.example/x?a=1&b=2)",
                               "links": ["https://a.example/x?a=1&amp;b=2"]}, links)
    assert "https://a.example/x" not in html and html.count("/public/campaigns/c/") == 1
    assert 'href="https://other.example/"' in html  # not a stored link: left alone (never a redirect)
    assert html.index("/public/campaigns/o/") < html.index("</body>") and "date de baja" in html
    assert "https://a.example" not in text and "/public/campaigns/c/" in text and "/public/campaigns/u/" in text


def test_merge_values_are_escaped_in_the_html_part(local_key):
    from email import message_from_bytes, policy
    from types import SimpleNamespace

    from skailan.campaigns import mail

    item = SimpleNamespace(tenant_id="demo", campaign_id="01HZZZZZZZZZZZZZZZZZZZZZZZ", content={
        "subject": "Hola {{contact.first_name}}", "html": "<p>Hola {{contact.first_name}}</p>",
        "text": "Hola {{contact.first_name}}", "links": []})
    person = SimpleNamespace(name="<b>Ana</b> Ruiz", email="a@example.com", phone=None, custom={})
    account = SimpleNamespace(external={"address": "soporte@demo.local"}, name="Soporte")
    composed = mail.message_for(item, "01HYYYYYYYYYYYYYYYYYYYYYYY", person, "a@example.com", account,  # type: ignore[arg-type]
                                {"name": "Demo"})
    message = message_from_bytes(composed.raw, policy=policy.default)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "&lt;b&gt;Ana&lt;/b&gt;" in html and "<b>Ana" not in html
    assert "Hola <b>Ana</b>" in message.get_body(preferencelist=("plain",)).get_content()  # text is text

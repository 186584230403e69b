"""E-mail copies (CC): the request model's checks and the per-conversation rules (mail_cc.resolve)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from skailan.conversations import mail_cc, opt_outs
from skailan.conversations.models import EmailOptionsIn, MessageIn
from skailan.platform.errors import Unprocessable


def test_addresses_are_normalised_and_bad_lists_refused() -> None:
    assert EmailOptionsIn(cc=[" Jefa@Cliente.Example ", "<conta@cliente.example>"]).cc == [
        "jefa@cliente.example", "conta@cliente.example"]
    assert EmailOptionsIn().cc is None
    for cc in (["sin-arroba"], ["a@x.co", "A@X.co"], [f"p{i}@x.co" for i in range(21)], [""], ["a@@x.co"]):
        with pytest.raises(ValidationError) as caught:
            MessageIn.model_validate({"text": "x", "email": {"cc": cc}})
        assert caught.value.errors()[0]["loc"][:2] == ("email", "cc"), cc
    assert len(EmailOptionsIn(cc=[f"p{i}@x.co" for i in range(20)]).cc or []) == 20


@pytest.fixture
def suppressed(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    found: set[str] = set()
    seen: list[tuple[str, str, list[str]]] = []

    def check(tenant_id: str, channel: str, addresses: list[str]) -> set[str]:
        seen.append((tenant_id, channel, addresses))
        return found & set(addresses)

    monkeypatch.setattr(opt_outs, "_address_checks", {"test": check})
    return found


def test_resolve_drops_own_addresses_refuses_suppressed_and_other_channels(suppressed: set[str]) -> None:
    email = EmailOptionsIn(subject="Hola", cc=["cliente@x.co", "soporte@demo.local", "jefa@x.co"])
    out = mail_cc.resolve("demo", channel="email", to="Cliente@X.co", mailbox="soporte@demo.local", email=email)
    assert out is not None and out.cc == ["jefa@x.co"] and out.subject == "Hola"
    assert mail_cc.resolve("demo", channel="sms", to=None, mailbox=None, email=EmailOptionsIn(subject="x")) is not None
    with pytest.raises(Unprocessable) as other:
        mail_cc.resolve("demo", channel="sms", to="+57300", mailbox=None, email=EmailOptionsIn(cc=["a@x.co"]))
    assert other.value.code == "cc_not_supported"
    suppressed.add("jefa@x.co")
    with pytest.raises(Unprocessable) as refused:
        mail_cc.resolve("demo", channel="email", to="cliente@x.co", mailbox=None, email=email)
    assert refused.value.code == "cc_suppressed" and " / " in refused.value.message
    assert refused.value.details == [{"field": "email.cc", "error": "suppressed", "address": "jefa@x.co"}]

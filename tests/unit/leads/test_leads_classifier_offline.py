"""The offline classifier's rules, one by one: negation, contrast, contact versus no contact, the
default note templates' titles, and explanations that name the deciding words."""

from __future__ import annotations

import pytest

from skailan.leads.classification import Outcome
from skailan.leads.classification.offline import classify_one, normalise

P, N, A, U = Outcome.POSITIVE, Outcome.NEGATIVE, Outcome.PARTIAL, Outcome.UNCLASSIFIED


@pytest.mark.parametrize("affirmed, negated, affirmed_outcome, negated_outcome", [
    ("Está interesado", "No está interesado", A, N),
    ("Le interesa el plan", "No le interesa el plan", A, N),
    ("He is interested", "He is not interested", A, N),
    ("Compró el seguro", "No compró el seguro", P, N),
    ("Agendó la demo", "No quiso agendar la demo", P, N),
    ("Firmó el contrato", "Todavía no firma el contrato", P, A),
    ("Contestó el titular", "No contestó el titular", A, U),
    ("Someone picked up", "No one picked up", A, U),
    ("Dice que lo llamemos el lunes", "Dice que no lo llamemos más", A, N),
])
def test_negation_flips(affirmed: str, negated: str, affirmed_outcome: Outcome, negated_outcome: Outcome) -> None:
    assert classify_one(affirmed).outcome is affirmed_outcome, classify_one(affirmed)
    result = classify_one(negated)
    assert result.outcome is negated_outcome, result


def test_negation_stays_in_its_clause() -> None:
    # The "no" of "no contesta" does not reach the next clause's callback.
    assert classify_one("No contesta, volver a llamar mañana").outcome is U
    assert classify_one("No, gracias").outcome is N
    assert classify_one("No dijo que no, quedó de pensarlo").outcome is A


@pytest.mark.parametrize("text, outcome", [
    ("Interesado pero ya contrató con otra empresa", N),
    ("Al principio dudó pero al final aceptó la demo", P),
    ("No le interesaba, pero después de la demo pidió el link de pago", P),
    ("Le gustó, aunque lo tiene que consultar con su socio", A),
])
def test_the_words_after_a_contrast_decide(text: str, outcome: Outcome) -> None:
    assert classify_one(text).outcome is outcome, classify_one(text)


@pytest.mark.parametrize("text, outcome", [
    ("No contesta, buzón de voz", U),
    ("No contestó, dejé mensaje para que me devuelva la llamada", U),
    ("No contesta el cel, llamé al fijo y dijo que no le interesa", N),
    ("Contestó la esposa, él no está", U),
    ("Hablé con él, le expliqué el plan", A),
    ("Ocupado", U),
    ("Estaba ocupado, pidió que lo llame en la tarde", A),
    ("Se actualizó el correo", U),
    ("", U),
])
def test_contact_and_no_contact(text: str, outcome: Outcome) -> None:
    assert classify_one(text).outcome is outcome, classify_one(text)


@pytest.mark.parametrize("title, outcome", [
    ("Llamada exitosa", P), ("Llamar nuevamente", A), ("No interesado", N), ("No contesta", U),
])
def test_the_default_note_templates_titles(title: str, outcome: Outcome) -> None:
    assert classify_one(title).outcome is outcome


def test_the_reason_names_the_deciding_words() -> None:
    result = classify_one("El cliente NO está interesado, ya tiene seguro con otra compañía")
    assert result.outcome is N and "«NO está interesado»" in result.reason  # as written
    assert "«Buzón»" in classify_one("Buzón de voz").reason
    assert "negado" in classify_one("No compró").reason
    assert "no outcome words" in classify_one("Cliente de Bogotá, 35 años").reason


def test_normalisation_handles_accents_repeats_and_abbreviations() -> None:
    assert normalise("Síííí, LE INTERESÓ!!") == "si, le intereso!!"
    assert normalise("dijo q lo llame x wsp") == "dijo que lo llame por whatsapp"
    assert classify_one("nc").outcome is U
    assert classify_one("intersado, q le mande info x wsp").outcome is A


def test_a_very_long_note_is_read_by_its_beginning_and_end() -> None:
    text = "Llamada larga. " + "Hablamos de muchas cosas sin importancia. " * 500 + "Al final compró el plan."
    result = classify_one(text)
    assert result.outcome is P and "compró" in result.reason


# The issue's own definitions, phrased the plain way (Spanish and English).
DEFINITIONS = [
    ('El cliente aceptó', P),
    ('Compró', P),
    ('Agendó una reunión', P),
    ('Agendó demo para mañana', P),
    ('Pidió pagar hoy', P),
    ('Quiere firmar', P),
    ('Asked to sign', P),
    ('Asked how to pay', P),
    ('Preguntó cómo hacer el pago', P),
    ('Pidió los datos para consignar', P),
    ('Booked a meeting', P),
    ('Agreed', P),
    ('The lead agreed to buy', P),
    ('Bought the product', P),
    ('Asked for the contract to sign', P),
    ('Acordamos reunión el martes', P),
    ('Aceptó la oferta', P),
    ('Lead avanzó: reunión agendada', P),
    ('Cliente quiere pagar ya', P),
    ('Se compromete a pagar el viernes', P),
    ('Número equivocado', N),
    ('No llamar', N),
    ('Do not call', N),
    ('Compró en otro lado', N),
    ('Fuera de cobertura', N),
    ('No está interesado', N),
    ('Not interested', N),
    ('Bought elsewhere', N),
    ('Out of coverage', N),
    ('Wrong number', N),
    ('Declinó', N),
    ('No es viable', N),
    ('El lead no es viable', N),
    ('Rechazó la propuesta', N),
    ('No desea el servicio', N),
    ('Solicita no ser llamado', N),
    ('Ya compró con otro proveedor', N),
    ('Pidió que lo llamen luego', A),
    ('Lo está pensando', A),
    ('Necesita aprobación de su jefe', A),
    ('Quiere información', A),
    ('Call back later', A),
    ('Thinking about it', A),
    ('Needs approval', A),
    ('Wants information', A),
    ('Llamar luego', A),
    ('Volver a llamar', A),
    ('Está pensándolo', A),
    ('Necesita consultarlo', A),
    ('Pide información', A),
    ('Solicita información adicional', A),
    ('Dice que le devuelva la llamada la próxima semana', A),
    ('Tiene que pedir autorización', A),
    ('Needs to ask his wife', A),
    ('No contestó', U),
    ('Buzón de voz', U),
    ('Ocupado', U),
    ('Nota administrativa: cambio de dirección', U),
    ('No answer', U),
    ('Voicemail', U),
    ('Busy', U),
    ('Administrative note', U),
    ('Se cambió el teléfono del contacto', U),
    ('No hubo conversación', U),
    ('Sin conversación', U),
    ('Correo rebotado', U),
    ('Llamada sin respuesta', U),
    ('Cliente no atiende', U),
    ('Teléfono ocupado', U),
]


@pytest.mark.parametrize("text, outcome", DEFINITIONS)
def test_the_issue_definitions_in_plain_words(text: str, outcome: Outcome) -> None:
    assert classify_one(text).outcome is outcome, classify_one(text)

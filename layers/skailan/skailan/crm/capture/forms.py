"""Lead-capture forms (Keybe *Conecta → Formularios*): definitions, the embed snippet, and the
public submission that creates or updates a person.

A form has at least name, phone and e-mail (Keybe's minimum base), plus any of the brand's
custom fields, an optional consent checkbox, a success message or a redirect URL, and tags /
a list / an owner given to everyone who submits it.

The public submit (`POST /public/forms/{form_id}`, no sign-in) finds the tenant through a
global guard item `FORM#<id>` written in the same transaction as the form — never from the
body. Then: a rate limit per IP and form (an atomic ADD on a counter item with a TTL), a
honeypot field (`website`: a filled one is accepted and dropped, so bots learn nothing), field
validation (422 naming each field), and the person is created or updated by identity (e-mail,
then phone) in one transaction with the submission record (values + consent evidence) and a
timeline entry. A public submission only *adds*: it never replaces the name, phone or e-mail
of an existing person (anyone can type anyone's e-mail into a form). Emits `form.submitted`
plus `contact.created` / `contact.updated`, in the person's transaction.
"""

from __future__ import annotations

import hashlib
import html
import json
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

from skailan.crm.capture.form_models import (
    FormEmbedOut,
    FormFieldIn,
    FormFieldOut,
    FormIn,
    FormOut,
    FormSubmissionOut,
    FormSubmittedOut,
    FormUpdateIn,
)
from skailan.crm.events import build
from skailan.crm.references import check_member, found_by_id
from skailan.crm.store import forms as store
from skailan.crm.store.sales_items import FormItem, FormSubmissionItem
from skailan.crm.values.types import Page
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, utcnow
from skailan.platform.errors import Conflict, NotFound, TooManyRequests, Unprocessable
from skailan.platform.i18n import both
from skailan.platform.ids import is_valid_id, new_id
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings

HONEYPOT = "website"
REQUIRED_KEYS = ("name", "phone", "email")
DEFAULT_SUBMIT = "Enviar"
DEFAULT_SUCCESS = "¡Gracias! Te contactaremos pronto."
NOT_FOUND = both("Formulario no encontrado", "Form not found")
_LABELS = {"name": "Nombre", "phone": "Celular", "email": "Correo electrónico"}
_INPUT_TYPES = {"short_text": "text", "long_text": "textarea", "number": "number", "date": "date",
                "dropdown": "select", "multi_select": "multiselect", "boolean": "checkbox", "url": "url",
                "email": "email", "phone": "tel"}
_TRUE = {"true", "on", "1", "yes", "si", "sí", "y", "s"}
MAX_EXTRA_KEYS = 10


def submit_url(base_url: str, form_id: str) -> str:
    return f"{base_url.rstrip('/')}/public/forms/{form_id}"


# ---------------------------------------------------------------- definitions


def _definitions(tenant_id: str) -> dict[str, Any]:
    from skailan.crm.vocabulary.definitions import load

    return {d.key: d for d in load(tenant_id).fields}


def _fields_out(stored: list[dict[str, Any]], definitions: dict[str, Any]) -> list[FormFieldOut]:
    out = []
    for field in stored:
        key = field["key"]
        options: list[str] = []
        if key.startswith("custom:"):
            definition = definitions.get(key[7:])
            if definition is None:
                continue  # the custom field was deleted: the form stops asking for it
            kind = _INPUT_TYPES.get(str(definition.type), "text")
            options = list(definition.options)
        else:
            kind = {"name": "text", "phone": "tel", "email": "email"}[key]
        out.append(FormFieldOut(key=key, label=field["label"], required=bool(field.get("required")), type=kind,
                                placeholder=field.get("placeholder"), options=options))
    return out


def _out(item: FormItem, definitions: dict[str, Any], base_url: str | None) -> FormOut:
    return FormOut(
        id=item.form_id, name=item.name, description=item.description,
        fields=_fields_out(item.fields or [], definitions), consent_text=item.consent_text,
        submit_label=item.submit_label or DEFAULT_SUBMIT, success_message=item.success_message or DEFAULT_SUCCESS,
        redirect_url=item.redirect_url, tags=list(item.tags or []), list_id=item.list_id, owner_id=item.owner_id,
        active=bool(item.active), submissions=int(item.submissions or 0),
        submit_url=submit_url(base_url, item.form_id) if base_url else None,
        created_at=item.created_at, updated_at=item.updated_at,
    )


def _check_fields(fields: list[FormFieldIn], definitions: dict[str, Any], errors: list[dict[str, Any]]) -> list[dict]:
    stored: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, field in enumerate(fields):
        if field.key in seen:
            errors.append({"field": f"fields[{i}].key", "error": "repeated",
                           "message": both("Campo repetido", "Repeated field")})
            continue
        seen.add(field.key)
        if field.key.startswith("custom:") and field.key[7:] not in definitions:
            errors.append({"field": f"fields[{i}].key", "error": "unknown_field",
                           "message": both("Campo adicional desconocido", "Unknown custom field")})
            continue
        label = field.label or (definitions[field.key[7:]].label if field.key.startswith("custom:")
                                else _LABELS[field.key])
        stored.append({"key": field.key, "label": " ".join(label.split()), "placeholder": field.placeholder,
                       "required": True if field.key == "name" else field.required})
    missing = [k for k in REQUIRED_KEYS if k not in seen]
    if missing:
        errors.append({"field": "fields", "error": "missing_basic_fields", "missing": missing,
                       "message": both("Un formulario pide al menos nombre, celular y correo",
                                       "A form asks at least for name, phone and e-mail")})
    return stored


def _check_refs(tenant_id: str, values: dict[str, Any], errors: list[dict[str, Any]]) -> None:
    if values.get("list_id"):
        from skailan.crm.audiences.lists import load_list

        try:
            load_list(tenant_id, values["list_id"])
        except NotFound:
            errors.append({"field": "list_id", "error": "unknown", "message": both("Lista no encontrada",
                                                                                   "List not found")})
    check_member(errors, tenant_id, values.get("owner_id"))


def _raise(errors: list[dict[str, Any]]) -> None:
    if errors:
        raise Unprocessable(both("El formulario no es válido", "The form is not valid"), details=errors)


def _clean_tags(tags: list[str]) -> list[str]:
    from skailan.crm.values.text import fold

    out: dict[str, str] = {}
    for tag in tags:
        spelling = " ".join(tag.split())
        if spelling:
            out.setdefault(fold(spelling), spelling)
    return list(out.values())


def create_form(caller: Caller, data: FormIn, base_url: str | None = None) -> FormOut:
    tenant_id = caller.tenant_id
    definitions = _definitions(tenant_id)
    errors: list[dict[str, Any]] = []
    stored = _check_fields(data.fields, definitions, errors)
    _check_refs(tenant_id, data.model_dump(), errors)
    _raise(errors)
    form_id = new_id()
    item = store.new_form(tenant_id, form_id, iso(), name=data.name, description=data.description, fields=stored,
                          consent_text=data.consent_text, submit_label=data.submit_label,
                          success_message=data.success_message, redirect_url=data.redirect_url,
                          tags=_clean_tags(data.tags), list_id=data.list_id, owner_id=data.owner_id, active=data.active,
                          events=[build(tenant_id, "form.created", caller=caller, entity_type="form",
                                        entity_id=form_id, data={"name": data.name})])
    return _out(item, definitions, base_url)


def _load(tenant_id: str, form_id: str) -> FormItem:
    return found_by_id(form_id, lambda i: store.find_form(tenant_id, i), NOT_FOUND, "form_not_found")


def get_form(tenant_id: str, form_id: str, base_url: str | None = None) -> FormOut:
    return _out(_load(tenant_id, form_id), _definitions(tenant_id), base_url)


def list_forms(tenant_id: str, *, cursor: str | None, limit: int | None, base_url: str | None = None) -> Page[FormOut]:
    found = store.forms_page(tenant_id, cursor=cursor, limit=limit)
    definitions = _definitions(tenant_id)
    return Page[FormOut](items=[_out(i, definitions, base_url) for i in found.items], next_cursor=found.next_cursor)


def update_form(caller: Caller, form_id: str, data: FormUpdateIn, base_url: str | None = None) -> FormOut:
    tenant_id = caller.tenant_id
    item = _load(tenant_id, form_id)
    sent = data.model_fields_set
    definitions = _definitions(tenant_id)
    errors: list[dict[str, Any]] = []
    for key in ("name", "fields", "active"):
        if key in sent and getattr(data, key) is None:
            errors.append({"field": key, "error": "required", "message": both("No puede quedar vacío",
                                                                              "Cannot be empty")})
    stored = _check_fields(data.fields, definitions, errors) if data.fields is not None else None
    _check_refs(tenant_id, {k: getattr(data, k) for k in sent}, errors)
    _raise(errors)
    for key in sent:
        value = getattr(data, key)
        if key == "fields":
            value = stored
        elif key == "tags":
            value = _clean_tags(value or [])
        setattr(item, key, value)
    item.updated_at = iso()
    event = build(tenant_id, "form.updated", caller=caller, entity_type="form", entity_id=form_id,
                  data={"changed": sorted(sent)})
    if not store.save_form(item, events=[event]):  # VersionAttribute: a concurrent edit fails instead of being lost
        raise Conflict(both("El formulario cambió mientras lo editabas", "The form changed while you edited it"),
                       code="concurrent_update")
    return _out(item, definitions, base_url)


def delete_form(caller: Caller, form_id: str) -> None:
    """The form and its guard go (its URL stops working); submissions stay as consent evidence."""
    item = _load(caller.tenant_id, form_id)
    store.delete_form(item, events=[build(caller.tenant_id, "form.deleted", caller=caller, entity_type="form",
                                          entity_id=form_id, data={"name": item.name})])


def list_submissions(tenant_id: str, form_id: str, *, cursor: str | None, limit: int | None) -> Page[FormSubmissionOut]:
    _load(tenant_id, form_id)
    found = store.submissions_page(tenant_id, form_id, cursor=cursor, limit=limit)
    items = [FormSubmissionOut(id=s.submission_id, person_id=s.person_id, created_person=bool(s.created_person),
                               values=s.values or {}, consent=s.consent, page_url=s.page_url,
                               submitted_at=s.created_at) for s in found.items]
    return Page[FormSubmissionOut](items=items, next_cursor=found.next_cursor)


# ---------------------------------------------------------------- embed snippet


def _script_json(value: Any) -> str:
    """JSON safe inside <script>: no "</script>", no line separators."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _input_html(form_id: str, field: FormFieldOut) -> str:
    e = html.escape
    dom_id = f"sk-{form_id}-{field.key.replace(':', '-')}"
    required = " required" if field.required else ""
    mark = " *" if field.required else ""
    placeholder = f' placeholder="{e(field.placeholder)}"' if field.placeholder else ""
    label = f'<label for="{dom_id}">{e(field.label)}{mark}</label>'
    name = e(field.key)
    if field.type == "checkbox":
        return (f'<div class="skailan-field skailan-field-checkbox"><label><input id="{dom_id}" type="checkbox" '
                f'name="{name}" value="true"{required}> {e(field.label)}{mark}</label></div>')
    if field.type in ("select", "multiselect"):
        multiple = " multiple" if field.type == "multiselect" else ""
        first = "" if multiple else '<option value="">—</option>'
        options = "".join(f'<option value="{e(o)}">{e(o)}</option>' for o in field.options)
        control = f'<select id="{dom_id}" name="{name}"{multiple}{required}>{first}{options}</select>'
    elif field.type == "textarea":
        control = f'<textarea id="{dom_id}" name="{name}" rows="4"{placeholder}{required}></textarea>'
    else:
        autocomplete = {"name": "name", "phone": "tel", "email": "email"}.get(field.key, "off")
        control = (f'<input id="{dom_id}" type="{field.type}" name="{name}" autocomplete="{autocomplete}"'
                   f'{placeholder}{required}>')
    return f'<div class="skailan-field">{label}{control}<small class="skailan-error" data-for="{name}"></small></div>'


@cache
def _script_template() -> str:
    """The embed script (a static asset beside this module, read once per container)."""
    return files("skailan.crm.capture").joinpath("form_embed.js").read_text(encoding="utf-8").rstrip("\n")


def embed(tenant_id: str, form_id: str, base_url: str) -> FormEmbedOut:
    item = _load(tenant_id, form_id)
    fields = _fields_out(item.fields or [], _definitions(tenant_id))
    url = submit_url(base_url, form_id)
    e = html.escape
    parts = [f'<form class="skailan-form" id="skailan-form-{form_id}" action="{e(url)}" method="post" novalidate>']
    if item.description:
        parts.append(f'<p class="skailan-form-description">{e(item.description)}</p>')
    parts += [_input_html(form_id, f) for f in fields]
    # The honeypot: off-screen, skipped by keyboards and autofill; people never fill it, bots do.
    parts.append(f'<div style="position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden" '
                 f'aria-hidden="true"><label>Website<input type="text" name="{HONEYPOT}" tabindex="-1" '
                 f'autocomplete="off"></label></div>')
    if item.consent_text:
        parts.append(f'<div class="skailan-field skailan-consent"><label><input type="checkbox" name="consent" '
                     f'value="true" required> {e(item.consent_text)}</label>'
                     f'<small class="skailan-error" data-for="consent"></small></div>')
    parts.append(f'<button type="submit">{e(item.submit_label or DEFAULT_SUBMIT)}</button>')
    parts.append('<p class="skailan-form-message" role="status" hidden></p></form>')
    markup = "\n".join(parts)
    config = {"formId": form_id, "submitUrl": url, "success": item.success_message or DEFAULT_SUCCESS,
              "failure": "No se pudo enviar; inténtalo de nuevo. / It could not be sent; try again."}
    script = _script_template().replace("__SKAILAN_FORM_CONFIG__", _script_json(config), 1)
    return FormEmbedOut(form_id=form_id, submit_url=url, html=markup, script=script,
                        snippet=f"{markup}\n<script>\n{script}\n</script>")


# ---------------------------------------------------------------- public submission


def form_for_submission(form_id: str) -> FormItem:
    """The form behind a public id: guard item → tenant → form (404 when unknown or inactive)."""
    if not is_valid_id(form_id):
        raise NotFound(NOT_FOUND, code="form_not_found")
    tenant_id = store.form_tenant(form_id)
    if tenant_id is None:
        raise NotFound(NOT_FOUND, code="form_not_found")
    item = _load(tenant_id, form_id)
    if not item.active:
        raise NotFound(NOT_FOUND, code="form_not_found")
    return item


def _ip_hash(form: FormItem, source_ip: str) -> str:
    return hashlib.sha256(f"{form.tenant_id}:{form.form_id}:{source_ip}".encode()).hexdigest()[:32]


def check_rate(form: FormItem, source_ip: str, *, now: datetime | None = None) -> None:
    """At most `form_rate_limit` submissions per IP and form per window: one atomic ADD."""
    settings = get_settings()
    now = now or utcnow()
    window = int(now.timestamp()) // settings.form_rate_window_seconds
    expires = datetime.fromtimestamp((window + 1) * settings.form_rate_window_seconds, UTC) + timedelta(hours=1)
    if store.count_hit(form.tenant_id, form.form_id, _ip_hash(form, source_ip), window, expires) > settings.form_rate_limit:
        retry_after = (window + 1) * settings.form_rate_window_seconds - int(now.timestamp())
        raise TooManyRequests(both("Demasiados envíos; inténtalo más tarde", "Too many submissions; try again later"),
                              code="rate_limited", details={"retry_after": retry_after})


def _text(raw: dict[str, Any], key: str, field_name: str, errors: list[dict[str, Any]], limit: int = 500) -> str:
    value = raw.get(key)
    if value is None or value is False:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errors.append({"field": field_name, "error": "wrong_type",
                       "message": both("Se esperaba un texto", "A text value was expected")})
        return ""
    text = " ".join(str(value).split())
    if len(text) > limit:
        errors.append({"field": field_name, "error": "too_long",
                       "message": both(f"Máximo {limit} caracteres", f"At most {limit} characters")})
        return ""
    return text


def _validate(form: FormItem, raw: dict[str, Any], country: str | None) -> dict[str, Any]:
    from skailan.crm.values.emails import InvalidEmail, normalize_email
    from skailan.crm.values.phones import InvalidPhone, normalize_phone
    from skailan.crm.vocabulary.fields import FieldValueError, coerce_value

    errors: list[dict[str, Any]] = []
    definitions = _definitions(form.tenant_id)
    asked = {f["key"]: f for f in form.fields or []}
    name = _text(raw, "name", "name", errors, 200)
    phone = email = None
    phone_text = _text(raw, "phone", "phone", errors, 64) if "phone" in asked else ""
    email_text = _text(raw, "email", "email", errors, 254) if "email" in asked else ""
    if phone_text:
        try:
            phone = normalize_phone(phone_text, country)
        except InvalidPhone as err:
            errors.append({"field": "phone", "error": err.reason, "message": err.message})
    if email_text:
        try:
            email = normalize_email(email_text)
        except InvalidEmail as err:
            errors.append({"field": "email", "error": err.reason, "message": err.message})
    custom: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for key, field in asked.items():
        if key.startswith("custom:"):
            definition = definitions.get(key[7:])
            value = raw.get(key)
            if definition is None or value is None or value == "" or value == []:
                value = None
            else:
                try:
                    value = coerce_value(definition, value, country)
                except FieldValueError as bad:
                    errors.append({"field": key, "error": bad.code, "message": both(bad.es, bad.en)})
                    continue
            if value is not None and definition is not None:
                custom[definition.key] = value
                values[key] = value
        else:
            value = {"name": name, "phone": phone or phone_text, "email": email or email_text}[key]
            if value:
                values[key] = value
        if field.get("required") and values.get(key) in (None, "", False) and not any(
                e["field"] == key for e in errors):
            errors.append({"field": key, "error": "required",
                           "message": both("Este campo es obligatorio", "This field is required")})
    if not phone and not email and not any(e["field"] in ("phone", "email") for e in errors):
        message = both("Escribe tu celular o tu correo", "Give your phone or your e-mail")
        errors += [{"field": "phone", "error": "phone_or_email_required", "message": message},
                   {"field": "email", "error": "phone_or_email_required", "message": message}]
    consent = None
    if form.consent_text:
        given = raw.get("consent")
        if given is True or (isinstance(given, str) and given.strip().lower() in _TRUE):
            consent = {"text": form.consent_text, "accepted_at": iso()}
        else:
            errors.append({"field": "consent", "error": "required",
                           "message": both("Debes aceptar para continuar", "You must accept to continue")})
    if errors:
        raise Unprocessable(both("Revisa los datos del formulario", "Check the form's data"), details=errors)
    extra = {k: str(v)[:200] for k, v in raw.items() if k.startswith("utm_") and isinstance(v, str)}
    values.update(dict(list(extra.items())[:MAX_EXTRA_KEYS]))
    page_url = raw.get("page_url") if isinstance(raw.get("page_url"), str) else None
    return {"name": name, "phone": phone, "email": email, "custom": custom, "values": values, "consent": consent,
            "page_url": (page_url or "")[:2048] or None}


def submit(form_id: str, raw: Any, *, source_ip: str, user_agent: str | None) -> tuple[FormItem, FormSubmittedOut]:
    """The public submit (see module doc). Returns the form and what to answer."""
    from skailan.crm.people.service import default_country

    form = form_for_submission(form_id)
    check_rate(form, source_ip or "unknown")
    answer = FormSubmittedOut(message=form.success_message or DEFAULT_SUCCESS, redirect_url=form.redirect_url)
    if not isinstance(raw, dict):
        raise Unprocessable(both("Envía los campos del formulario", "Send the form's fields"),
                            details=[{"field": "body", "error": "not_an_object"}])
    if raw.get(HONEYPOT):
        logger.info("form honeypot filled; submission dropped", tenant_id=form.tenant_id, form_id=form_id)
        return form, answer
    data = _validate(form, raw, default_country(form.tenant_id))
    submission_id = new_id()
    now = iso()
    submission = store.submission_item(form, submission_id, now, person_id="", values=data["values"],
                                       consent=data["consent"], ip_hash=_ip_hash(form, source_ip or "unknown"),
                                       user_agent=(user_agent or "")[:300] or None, page_url=data["page_url"])
    _upsert_person(form, data, submission, now)
    return form, answer


def _submit_events(form: FormItem, data: dict[str, Any], submission: FormSubmissionItem, person: Any,
                   created: bool) -> list[Any]:
    """`contact.created` / `contact.updated`, then `form.submitted`: written with the person."""
    form_id = form.form_id
    events = [build(form.tenant_id, "form.submitted", entity_type="form", entity_id=form_id,
                    data={"form_id": form_id, "form_name": form.name, "submission_id": submission.submission_id,
                          "person_id": person.person_id, "created": created, "values": data["values"],
                          "consent": bool(data["consent"]), "page_url": data["page_url"]})]
    if created:
        from skailan.crm.people.service import created_data

        events.insert(0, build(form.tenant_id, "contact.created", entity_type="contact", entity_id=person.person_id,
                               data={**created_data(person), "form_id": form_id}))
    else:
        events.insert(0, build(form.tenant_id, "contact.updated", entity_type="contact", entity_id=person.person_id,
                               data={"changed": ["form"], "form_id": form_id}))
    return events


def _upsert_person(form: FormItem, data: dict[str, Any], submission: FormSubmissionItem,
                   now: str) -> tuple[Any, bool]:
    """Create the person or add to the one the e-mail / phone belongs to, with the submission record
    and the events."""
    from skailan.crm.store.person_writes import commit, lookup_owners, phone_identity

    keys = ([("email", data["email"])] if data["email"] else []) + (
        [("phone", phone_identity(data["phone"]).key)] if data["phone"] else [])
    list_id: str | None = form.list_id
    for _attempt in range(4):  # a lost race (identity claimed, person edited or merged) matches again
        owners = lookup_owners(form.tenant_id, keys)
        matched = [owners[k] for k in keys if k in owners]
        write = (_update_write(form, matched[0], data, owners, submission, now, list_id) if matched
                 else _create_write(form, data, submission, now, list_id))
        if write is None:
            continue
        submission.created_person = write.before is None
        write.events = _submit_events(form, data, submission, write.after, write.before is None)
        failed = commit(form.tenant_id, [write])
        if not failed:
            return write.after, write.before is None
        if failed[0].failure == "list_missing":
            list_id = None
    raise Conflict(both("No se pudo guardar el envío; inténtalo de nuevo", "The submission could not be saved; retry"),
                   code="contact_resolution_conflict")


def _timeline_entry(form: FormItem, person_id: str, submission: FormSubmissionItem, now: str) -> Any:
    from skailan.crm.store.timeline_items import timeline_item

    return timeline_item(form.tenant_id, person_id, "form_submitted", f"Formulario: {form.name}",
                         ref={"type": "form", "id": form.form_id, "submission_id": submission.submission_id},
                         occurred_at=now, entry_id=submission.submission_id)


def _counter(form: FormItem) -> tuple[Any, list[Any]]:
    return store.submission_counter(form)


def _create_write(form: FormItem, data: dict[str, Any], submission: FormSubmissionItem, now: str,
                  list_id: str | None) -> Any:
    from skailan.crm.store.person_writes import (
        PersonWrite,
        email_identity,
        new_person_item,
        phone_identity,
        set_identity,
    )
    from skailan.crm.vocabulary.definitions import load

    item = new_person_item(form.tenant_id, new_id(), data["name"], now)
    item.phone, item.email = data["phone"], data["email"]
    set_identity(item, phone_identity(data["phone"]) if data["phone"] else None, kind="phone")
    set_identity(item, email_identity(data["email"]) if data["email"] else None, kind="email")
    item.custom = dict(data["custom"])
    item.tags = list(form.tags or [])
    item.owner_id = form.owner_id
    item.journey_state = load(form.tenant_id).default_state
    submission.person_id = item.person_id
    return PersonWrite(after=item, extra=[submission, _timeline_entry(form, item.person_id, submission, now)],
                       updates=[_counter(form)], list_id=list_id)


def _update_write(form: FormItem, person_id: str, data: dict[str, Any], owners: dict[tuple[str, str], str],
                  submission: FormSubmissionItem, now: str, list_id: str | None) -> Any:
    from skailan.crm.store.audiences import is_list_member
    from skailan.crm.store.person_reads import find_person
    from skailan.crm.store.person_writes import (
        PersonWrite,
        derive,
        email_identity,
        phone_identity,
        set_identity,
        touch,
    )
    from skailan.crm.values.text import tag_key

    person = find_person(form.tenant_id, person_id, consistent=True)
    if person is None or person.deleted_at:
        return None
    if person.merged_into:
        person = find_person(form.tenant_id, person.merged_into, consistent=True)
        if person is None or person.deleted_at or person.merged_into:
            return None
    before = derive(person)
    if data["email"] and not person.email and owners.get(("email", data["email"])) in (None, person.person_id):
        person.email = data["email"]
        set_identity(person, email_identity(data["email"]), kind="email")
    if data["phone"] and not person.phone:
        ident = phone_identity(data["phone"])
        if owners.get(("phone", ident.key)) in (None, person.person_id):
            person.phone = data["phone"]
            set_identity(person, ident, kind="phone")
    if data["custom"]:
        person.custom = {**(person.custom or {}), **data["custom"]}
    have = {tag_key(t) for t in person.tags or []}
    person.tags = list(person.tags or []) + [t for t in form.tags or [] if tag_key(t) not in have]
    if form.owner_id and not person.owner_id:
        person.owner_id = form.owner_id
    touch(person, now)
    if list_id and is_list_member(form.tenant_id, person.person_id, list_id):
        list_id = None  # already a member
    submission.person_id = person.person_id
    return PersonWrite(after=person, before=before,
                       extra=[submission, _timeline_entry(form, person.person_id, submission, now)],
                       updates=[_counter(form)], list_id=list_id)


def parse_body(body: str | None, content_type: str | None) -> Any:
    """A submission body: JSON, or an HTML form post (`application/x-www-form-urlencoded`)."""
    from urllib.parse import parse_qs

    if not body:
        return {}
    if (content_type or "").split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        parsed = parse_qs(body, keep_blank_values=True, max_num_fields=100)
        return {k: (v if len(v) > 1 else v[0]) for k, v in parsed.items()}
    try:
        return json.loads(body)
    except ValueError as err:
        raise Unprocessable(both("El cuerpo no es JSON válido", "The body is not valid JSON"),
                            details=[{"field": "body", "error": "invalid_json"}]) from err


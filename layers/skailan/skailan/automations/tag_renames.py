"""A CRM tag renamed (`tag.renamed {from, to}`): the automations naming it follow.

The automations own their definitions, so this worker rewrites them (the CRM only announces the
rename): every place a definition names the old tag (folded, like triggers) gets the new name —
the `tag_added` / `tag_removed` trigger, person conditions (the segment rule tree: `tags`),
event conditions on `tag`, branch conditions, `wait_event` on a tag and `add_tag` /
`remove_tag` steps (which would otherwise bring the old tag back). Each rewrite is a normal
edit: a new version, conditional on the automation's revision (re-read and retried when it was
saved meanwhile), `automation.updated` in the same transaction. Runs keep their version, so a
run waiting (`wait_event`) on the old tag has its wait marker re-filed under the new tag: the
event of the new name resumes it. A redelivered event finds nothing left to rewrite.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from skailan.automations import store
from skailan.automations.models import AutomationIn
from skailan.automations.service import _kept_schedule, compile_steps, definition_of, event, trigger_key
from skailan.crm.values.text import TagRespelling, fold
from skailan.platform.clock import iso
from skailan.platform.observability import logger
from skailan.platform.storage import ConditionFailed

REWRITE_TRIES = 3
TAG_EVENTS = ("tag_added", "tag_removed")


def renamed_definition(definition: dict[str, Any], old_name: str, new_name: str) -> dict[str, Any] | None:
    """The definition with every tag naming `old_name` (folded) spelled `new_name`; None when it
    names none (nothing to do: also what a redelivery finds)."""
    respelling = TagRespelling(old_name, new_name)

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(v) for v in node]
        if not isinstance(node, dict):
            return node
        out = {k: walk(v) for k, v in node.items()}
        if isinstance(out.get("tag"), str):  # trigger, wait_event, add_tag / remove_tag
            out["tag"] = respelling.respell(out["tag"])
        if node.get("field") in ("tags", "tag") and "value" in node:  # rule trees, event conditions
            out["value"] = respelling.respell(node["value"])
        return out

    rewritten = walk(definition)
    return rewritten if respelling.changed else None


def _rewrite(item: store.AutomationItem, old_name: str, new_name: str) -> bool:
    """One automation; False when it names no old tag (or was deleted). Retries on a concurrent save."""
    for _try in range(REWRITE_TRIES):
        current = item.definition or {}
        definition = renamed_definition(current, old_name, new_name)
        if definition is None or item.deleted_at:
            return False
        try:
            checked = AutomationIn.model_validate({**definition, "name": item.name, "description": item.description,
                                                   "active": item.active})
        except ValidationError:  # not valid as stored either: left as it is rather than blocking the brand's rewrite
            logger.warning("automation not rewritten for a tag rename", tenant_id=item.tenant_id,
                           automation_id=item.automation_id)
            return False
        definition = definition_of(checked)
        now = iso()
        item.version = int(item.version) + 1
        item.definition, item.program = definition, compile_steps(checked.steps)
        item.trigger_key, item.updated_at = trigger_key(definition["trigger"]), now
        try:
            store.write_automation(item, store.new_version_item(item, now, None), [
                event(item.tenant_id, "automation.updated", None, item.automation_id,
                      changed=["definition"], version=int(item.version),
                      tag_renamed={"from": old_name, "to": new_name})],
                schedule_at=_kept_schedule(item, current, definition))
            return True
        except ConditionFailed:  # saved meanwhile: read it again
            found = store.get_automation(item.tenant_id, item.automation_id, consistent=True)
            if found is None:
                return False
            item = found
    raise RuntimeError(f"automation {item.automation_id}: kept changing during a tag rename")


def _move_waits(item: store.AutomationItem, old_name: str, new_name: str) -> int:
    """Runs of the automation waiting (`wait_event`, their own version's step) on the old tag: the
    wait marker re-filed under the new tag."""
    old_key, moved = fold(old_name), 0
    programs: dict[int, list[dict[str, Any]]] = {}
    for run in store.waiting_runs(item.tenant_id, item.automation_id):
        version = int(run.version)
        if version not in programs:
            found = store.get_version(item.tenant_id, item.automation_id, version)
            programs[version] = (found.program or []) if found is not None else []
        program, pc = programs[version], int(run.pc)
        ins = program[pc] if pc < len(program) else None
        if ins is None or ins.get("op") != "wait_event" or ins.get("event") not in TAG_EVENTS:
            continue
        if fold(str(ins.get("tag") or "")) != old_key or fold(new_name) == old_key:
            continue
        params = {k: ins[k] for k in ("keywords", "channel", "form_id", "state", "campaign_id") if ins.get(k)}
        if store.move_event_wait(run, pc, f"{ins['event']}#{old_key}", f"{ins['event']}#{fold(new_name)}", params):
            moved += 1
    return moved


def rename_tag(tenant_id: str, old_name: str, new_name: str) -> dict[str, int]:
    """The automations worker's side of `tag.renamed`: rewrite the brand's automations naming the
    old tag, and move their runs' waits on it. Idempotent."""
    rewritten = moved = 0
    for item in store.brand_automations(tenant_id):
        if item.deleted_at:
            continue
        rewritten += _rewrite(item, old_name, new_name)
        moved += _move_waits(item, old_name, new_name)
    return {"rewritten": rewritten, "waits_moved": moved}

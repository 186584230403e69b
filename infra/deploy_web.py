"""`make deploy-web`'s pieces that can be tested without AWS (docs/deploy-web.md).

    python -m infra.deploy_web config  OUTPUTS_JSON  DIST_DIR   # writes DIST_DIR/config.json
    python -m infra.deploy_web output  OUTPUTS_JSON  KEY        # prints one stack output

OUTPUTS_JSON is what `aws cloudformation describe-stacks --stack-name S` prints (or only its
`Stacks[0].Outputs` list, or a flat `{"ApiUrl": …}` object); `-` reads it from stdin. The app
reads `/config.json` at boot (docs/realtime.md): `{"apiUrl", "wsUrl"}`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REQUIRED = ("ApiUrl", "WebSocketUrl")


class OutputsError(ValueError):
    """The outputs are not a stack's outputs, or lack what the app needs."""


def parse_outputs(document: Any) -> dict[str, str]:
    """Stack outputs as `{key: value}`, from any of the three shapes the CLI gives."""
    if isinstance(document, dict) and "Stacks" in document:
        stacks = document["Stacks"]
        if not isinstance(stacks, list) or len(stacks) != 1:
            raise OutputsError("expected exactly one stack in 'Stacks'")
        document = stacks[0].get("Outputs") if isinstance(stacks[0], dict) else None
    if isinstance(document, list):
        out: dict[str, str] = {}
        for entry in document:
            if not isinstance(entry, dict) or not isinstance(entry.get("OutputKey"), str) \
                    or not isinstance(entry.get("OutputValue"), str):
                raise OutputsError("every output needs a string OutputKey and OutputValue")
            out[entry["OutputKey"]] = entry["OutputValue"]
        return out
    if isinstance(document, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in document.items()):
        return dict(document)
    raise OutputsError("not stack outputs: expected describe-stacks JSON, an Outputs list or a flat object")


def _url(value: str, key: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in schemes or not parts.netloc or parts.query or parts.fragment:
        raise OutputsError(f"{key} must be an absolute {'/'.join(schemes)} URL without query: {value!r}")
    return value.strip().rstrip("/")


def app_config(outputs: dict[str, str]) -> dict[str, str]:
    missing = [k for k in REQUIRED if not outputs.get(k)]
    if missing:
        raise OutputsError(f"missing stack outputs: {', '.join(missing)}")
    return {"apiUrl": _url(outputs["ApiUrl"], "ApiUrl", ("https",)),
            "wsUrl": _url(outputs["WebSocketUrl"], "WebSocketUrl", ("wss",))}


def write_config(outputs_json: str, dist: Path) -> Path:
    if not dist.is_dir() or not (dist / "index.html").is_file():
        raise OutputsError(f"{dist} is not a built app (no index.html): run make web-build first")
    try:
        document = json.loads(outputs_json)
    except json.JSONDecodeError as err:
        raise OutputsError(f"outputs are not JSON: {err}") from err
    target = dist / "config.json"
    target.write_text(json.dumps(app_config(parse_outputs(document)), indent=2) + "\n")
    return target


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("config", "output"):
        print(__doc__, file=sys.stderr)
        return 2
    command, source, arg = argv
    text = sys.stdin.read() if source == "-" else Path(source).read_text()
    try:
        if command == "config":
            print(write_config(text, Path(arg)))
        else:
            value = parse_outputs(json.loads(text)).get(arg)
            if not value:
                raise OutputsError(f"missing stack output: {arg}")
            print(value)
    except (OutputsError, json.JSONDecodeError) as err:
        print(f"deploy-web: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

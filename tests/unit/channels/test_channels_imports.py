"""Cold start: a webhook handler that only verifies and parses must not import httpx."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LAYER = Path(__file__).resolve().parents[3] / "layers" / "skailan"


def test_verify_and_parse_paths_do_not_import_http_clients():
    code = (
        "import sys\n"
        "from skailan.channels import meta, whatsapp, messenger, instagram, telegram, twilio, email\n"
        "assert callable(whatsapp.parse) and callable(twilio.verify_signature)\n"
        "assert 'httpx' not in sys.modules, 'httpx imported'\n"
        "assert 'cryptography' not in sys.modules, 'cryptography imported'\n"
        "assert whatsapp.WhatsAppSender.__name__ == 'WhatsAppSender'\n"  # the lazy import still works
        "assert 'httpx' in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(LAYER)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr

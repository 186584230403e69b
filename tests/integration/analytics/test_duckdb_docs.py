"""The DuckDB commands of docs/analytics.md ("Exports"), read from the doc itself so it cannot
drift: both name the same query; the S3 one points at the local runtime's bucket, moto endpoint
and keys; the offline one runs over a real daily export copied out of the (moto) bucket by
`python -m infra.local.lake`, and gives the export's numbers. (The S3 one needs DuckDB's httpfs
extension, a download: its SQL is the same, checked here, not run.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.integration.analytics.test_exports import DAY, exported  # noqa: F401 — the export fixture

DOC = Path(__file__).resolve().parents[3] / "docs" / "analytics.md"


def blocks() -> tuple[str, str]:
    """(the S3 command's SQL, the offline command's SQL) as the doc spells them."""
    text = DOC.read_text()
    s3 = re.search(r'```sh\nduckdb -c "(.*?)"\n```', text, re.S)
    offline = re.search(r"```sh\n\.venv/bin/python -m infra\.local\.lake \./lake\n"
                        r"\.venv/bin/python -c \"import duckdb; duckdb\.sql\('''(.*?)'''\)\.show\(\)\"\n```", text, re.S)
    assert s3 and offline, "docs/analytics.md lost its DuckDB blocks"
    return s3.group(1), offline.group(1)


def select_of(sql: str) -> str:
    return " ".join(sql[sql.index("SELECT"):].split())


def test_the_documented_s3_command_names_the_local_runtime_and_the_same_query(exported):  # noqa: F811
    from infra.local.aws import FAKE_CREDENTIALS
    from infra.local.runtime import DEFAULT_MOTO_PORT
    from skailan.platform.settings import get_settings

    s3_sql, offline_sql = blocks()
    bucket = get_settings().analytics_lake_bucket  # as the template names it locally
    assert f"s3://{bucket}/facts/conversations/" in s3_sql
    assert f"ENDPOINT '127.0.0.1:{DEFAULT_MOTO_PORT}'" in s3_sql
    assert f"KEY_ID '{FAKE_CREDENTIALS['aws_access_key_id']}'" in s3_sql
    assert f"SECRET '{FAKE_CREDENTIALS['aws_secret_access_key']}'" in s3_sql
    assert select_of(s3_sql).replace(f"s3://{bucket}/", "lake/") == select_of(offline_sql)


def test_the_documented_offline_command_reads_the_export(exported, tmp_path: Path,  # noqa: F811
                                                         monkeypatch: pytest.MonkeyPatch):
    import duckdb

    from infra.local import lake
    from skailan.platform.aws import client

    files = lake.download(client("s3"), tmp_path / "lake")
    names = {str(f.relative_to(tmp_path)) for f in files}
    assert f"lake/facts/conversations/brand=demo/date={DAY}/facts.csv.gz" in names
    assert f"lake/facts/messages/brand=acme/date={DAY}/facts.csv.gz" in names
    monkeypatch.chdir(tmp_path)  # the doc's command runs where ./lake is
    rows: list[tuple[Any, ...]] = duckdb.sql(blocks()[1]).fetchall()
    demo = [(brand, str(date), agent, closed, fr) for brand, date, agent, closed, fr in rows if brand == "demo"]
    # one conversation closed by Ana on DAY, answered 100 s after the customer wrote
    assert demo == [("demo", DAY, exported["ana"], 1, 100.0)]
    assert all(brand in ("demo", "acme") for brand, *_ in rows)
    assert not [r for r in rows if r[0] == "acme"]  # acme only has a message that day: no closed conversation

"""Copy the analytics lake's fact files out of the local runtime's moto bucket into a folder, keys
kept (`facts/<kind>/brand=…/date=…/facts.csv.gz`), so DuckDB reads them offline — its httpfs
extension (to read `s3://` in place) is a download. docs/analytics.md "Exports".

    .venv/bin/python -m infra.local.lake ./lake
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

LAKE = "analytics-lake"  # the bucket's name in the template: skailan-<stage>-analytics-lake-<account>


def lake_bucket(s3: Any) -> str:
    names = [b["Name"] for b in s3.list_buckets().get("Buckets", []) if LAKE in b["Name"]]
    if len(names) != 1:
        raise SystemExit(f"expected one *{LAKE}* bucket, found {names}")
    return str(names[0])


def download(s3: Any, dest: Path, *, bucket: str | None = None, prefix: str = "facts/") -> list[Path]:
    """Every object under `prefix` to `dest/<key>`; returns the files written."""
    bucket = bucket or lake_bucket(s3)
    written: list[Path] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            target = dest / obj["Key"]
            if dest.resolve() not in target.resolve().parents:
                continue  # a key with `..` never writes outside the folder
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    import boto3

    from infra.local.aws import FAKE_CREDENTIALS

    parser = argparse.ArgumentParser(prog="python -m infra.local.lake", description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="the folder to copy the fact files into")
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("SKAILAN_MOTO_PORT") or 4566))
    args = parser.parse_args(argv)
    s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{args.moto_port}", region_name="us-east-1",
                      aws_access_key_id=FAKE_CREDENTIALS["aws_access_key_id"],
                      aws_secret_access_key=FAKE_CREDENTIALS["aws_secret_access_key"])
    files = download(s3, args.dest)
    print(f"{len(files)} files → {args.dest}")


if __name__ == "__main__":
    main()

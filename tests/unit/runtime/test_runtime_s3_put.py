"""Issue 11 item 13: a file PUT to a presigned URL of the local S3 is stored byte for byte,
whatever Content-Type the client sends (`curl --data-binary` sends a form type)."""

from __future__ import annotations

import httpx
import pytest

from infra.local import moto_s3

CSV = b"nombre,telefono\nAna,3001234567\n"


@pytest.fixture(scope="module")
def s3():
    import boto3
    from botocore.config import Config
    from moto.server import ThreadedMotoServer

    moto_s3.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client("s3", endpoint_url=f"http://{host}:{port}", region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing",
                          config=Config(signature_version="s3v4"))
    client.create_bucket(Bucket="uploads-test")
    yield client
    server.stop()


@pytest.mark.parametrize("content_type", [None, "application/x-www-form-urlencoded", "multipart/form-data",
                                          "text/csv", "application/octet-stream"])
def test_a_put_body_is_the_object_whatever_its_content_type(s3, content_type):
    key = f"imports/{content_type or 'none'}/source"
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "uploads-test", "Key": key}, ExpiresIn=300)
    headers = {"content-type": content_type} if content_type else {}
    reply = httpx.put(url, content=CSV, headers=headers)
    assert reply.status_code == 200, reply.text
    stored = s3.get_object(Bucket="uploads-test", Key=key)
    assert stored["Body"].read() == CSV
    if content_type:
        assert stored["ContentType"] == content_type  # S3 keeps the client's type as metadata


def test_the_default_curl_form_type_keeps_every_byte(s3):
    """`curl --data-binary @file URL` sends `application/x-www-form-urlencoded`: before the fix
    moto parsed that as a form and stored 0 bytes."""
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "uploads-test", "Key": "curl"}, ExpiresIn=300)
    body = b"a=b&c=d\nkey=value\n" * 100
    assert httpx.put(url, content=body, headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 200
    assert s3.head_object(Bucket="uploads-test", Key="curl")["ContentLength"] == len(body)


def test_a_binary_file_with_the_curl_form_type_keeps_every_byte(s3):
    """An image sent by `curl --data-binary`: moto's dispatcher could not decode it as a form and
    lost the body (the PUT hung, then failed)."""
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "uploads-test", "Key": "img"}, ExpiresIn=300)
    reply = httpx.put(url, content=png, headers={"content-type": "application/x-www-form-urlencoded"}, timeout=10)
    assert reply.status_code == 200, reply.text
    assert s3.get_object(Bucket="uploads-test", Key="img")["Body"].read() == png

import pytest

from skailan.platform.errors import BadRequest
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor


def test_cursor_round_trips_within_its_partition():
    key = {"pk": {"S": "T#demo"}, "sk": {"S": "MEMBER#abc"}}
    cursor = encode_cursor(key)
    assert decode_cursor(cursor, partition_attr="pk", partition_value="T#demo") == key


def test_a_cursor_from_another_tenant_is_refused():
    cursor = encode_cursor({"pk": {"S": "T#acme"}, "sk": {"S": "MEMBER#abc"}})
    with pytest.raises(BadRequest) as err:
        decode_cursor(cursor, partition_attr="pk", partition_value="T#demo")
    assert err.value.code == "invalid_cursor"


@pytest.mark.parametrize("garbage", ["%%%", "bm90LWpzb24", "e30"])
def test_malformed_cursors_are_a_bad_request(garbage):
    with pytest.raises(BadRequest):
        decode_cursor(garbage, partition_attr="pk", partition_value="T#demo")


def test_no_cursor_means_first_page_and_limits_are_clamped():
    assert encode_cursor(None) is None
    assert decode_cursor(None, partition_attr="pk", partition_value="T#demo") is None
    assert clamp_limit(None) == 25
    assert clamp_limit(0) == 1
    assert clamp_limit(10_000) == 100

"""``ObjectKey`` and ``ObjectRef`` are named tuples (made and hashed in C) that still behave as
the value types they were as frozen dataclasses: equal only to their own kind, ordered by
their fields, printed the same, copied with a change."""

from __future__ import annotations

import pickle

import pytest

from kaudit.model import ObjectKey, ObjectRef


def test_a_key_equals_only_a_key() -> None:
    key = ObjectKey("apps", "Deployment", "shop", "web")
    same = ObjectKey(group="apps", kind="Deployment", namespace="shop", name="web")
    assert key == same and not key != same and hash(key) == hash(same)  # noqa: SIM202
    for other in (("apps", "Deployment", "shop", "web"), ["apps", "Deployment", "shop", "web"],
                  ObjectRef("apps", "Deployment", "shop", "web")):
        assert key != other and other != key
        assert not key == other and not other == key  # noqa: SIM201
    # A plain tuple with the same hash is still another dict key.
    table = {key: "key", ("apps", "Deployment", "shop", "web"): "tuple"}
    assert table[same] == "key" and len(table) == 2


def test_a_ref_equals_only_a_ref() -> None:
    ref = ObjectRef("v1", "Pod", "shop", "web-1")
    assert ref == ObjectRef("v1", "Pod", "shop", "web-1")
    assert ref != ("v1", "Pod", "shop", "web-1")
    assert ref != ObjectKey("v1", "Pod", "shop", "web-1")
    assert len({ref, ObjectRef("v1", "Pod", "shop", "web-1")}) == 1


def test_keys_order_by_their_fields_and_print_as_before() -> None:
    keys = [ObjectKey("", "Pod", "b", "x"), ObjectKey("", "Pod", "a", "y"),
            ObjectKey("apps", "Deployment", "", "z")]
    assert sorted(keys) == [keys[1], keys[0], keys[2]]
    assert repr(keys[0]) == "ObjectKey(group='', kind='Pod', namespace='b', name='x')"
    assert str(keys[2]) == "Deployment.apps z"
    ref = ObjectRef("apps/v1", "Deployment", "shop", "web")
    assert repr(ref) == ("ObjectRef(api_version='apps/v1', kind='Deployment', "
                         "namespace='shop', name='web')")
    assert (str(ref), ref.short, ref.group) == ("apps/v1 Deployment shop/web",
                                                "Deployment shop/web", "apps")
    assert ref.key == ObjectKey("apps", "Deployment", "shop", "web")


def test_identities_are_values() -> None:
    ref = ObjectRef("apps/v1", "Deployment", "shop", "web")
    assert ref._replace(kind="StatefulSet") == ObjectRef("apps/v1", "StatefulSet", "shop", "web")
    assert pickle.loads(pickle.dumps(ref)) == ref
    assert type(pickle.loads(pickle.dumps(ref.key))) is ObjectKey
    with pytest.raises(AttributeError):
        ref.kind = "StatefulSet"  # type: ignore[misc]

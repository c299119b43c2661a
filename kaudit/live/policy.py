"""What to fetch of each resource type: whole objects, or metadata only.

A rule that only reads metadata (names, labels, owners, finalizers, deletion timestamps) does
not need bodies, and a Secret body is a credential: it must not enter the process unless a rule
needs a digest of it. So Secrets are listed as ``PartialObjectMetadataList`` and only the
Secrets some rule compares by value are fetched in full, with a label selector, and digested
the moment their page is parsed. The two selectors are complementary (``L`` and ``!L``), so
together they still list every Secret exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

from kaudit.live.discovery import ApiResource

FULL = "application/json"
METADATA_ONLY = (
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json")

# (group, plural) read as metadata only, with the label whose objects rules need in full.
# Kong credential Secrets (``konghq.com/credential``) are compared by digest by the unique-field
# rules (jwt/key-auth keys, basic-auth usernames...); no rule reads any other Secret's data.
METADATA_ONLY_TYPES: dict[tuple[str, str], str | None] = {
    ("", "secrets"): "konghq.com/credential",
}


@dataclass(frozen=True, slots=True)
class Query:
    accept: str
    label_selector: str | None = None

    @property
    def metadata_only(self) -> bool:
        return self.accept == METADATA_ONLY


def queries_for(resource: ApiResource) -> tuple[Query, ...]:
    """The list requests that together read every object of ``resource`` once."""
    key = (resource.group, resource.plural)
    if key not in METADATA_ONLY_TYPES:
        return (Query(FULL),)
    needed = METADATA_ONLY_TYPES[key]
    if needed is None:
        return (Query(METADATA_ONLY),)
    return (Query(METADATA_ONLY, f"!{needed}"), Query(FULL, needed))

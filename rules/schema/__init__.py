"""Duplicate-schema GVKs: two definitions serving one group/kind, and the API plumbing around
them (SC rules)."""

from kaudit_rules.schema.apiservice_shadows_crd import ApiserviceShadowsCrd
from kaudit_rules.schema.apiservice_unavailable import ApiserviceUnavailable
from kaudit_rules.schema.duplicate_gvk import DuplicateGvk
from kaudit_rules.schema.immutable_field_change import ImmutableFieldChange
from kaudit_rules.schema.kcp_binding_drift import KcpBindingDrift
from kaudit_rules.schema.name_collision import NameCollision
from kaudit_rules.schema.removed_api_version import RemovedApiVersion
from kaudit_rules.schema.schema_violation import SchemaViolation
from kaudit_rules.schema.stored_version_dropped import StoredVersionDropped

RULES = [DuplicateGvk, ApiserviceShadowsCrd, StoredVersionDropped, ApiserviceUnavailable,
         NameCollision, KcpBindingDrift, RemovedApiVersion, ImmutableFieldChange,
         SchemaViolation]

"""What every mock cloud shares: stable ids and reading (possibly secret) inputs.

Each target's ``mocks.py`` answers the registrations and invokes of its provider for the
mock engine (``airs plan`` and the tests); ``components/cli/mocks.py`` picks the module by
the resource type's provider prefix.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs


class MockCloud(Protocol):
    """A target's mock answers (a ``mocks`` module)."""

    def new_resource(self, args: MockResourceArgs, resource_id: str) -> tuple[str, dict[str, Any]]:
        """The id and the computed outputs of one registration."""
        ...

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        """The result of one invoke (look-up)."""
        ...


def stable_hex(*parts: str, length: int = 8) -> str:
    """Deterministic hex digest: the same plan always shows the same ids."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def is_secret(value: Any) -> bool:
    """Whether a deserialized property value is a wrapped secret."""
    return bool(rpc.is_rpc_secret(value))


def unwrap(value: Any) -> Any:
    """The value inside a wrapped secret (for mocks computing from secret inputs)."""
    return rpc.unwrap_rpc_secret(value)


def plain(value: Any) -> Any:
    """An input value with any secret wrapper removed (mocks compute from the value)."""
    return unwrap(value) if is_secret(value) else value

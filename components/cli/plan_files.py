"""The two files a plan is read from or compared with, and the tokens they share.

A saved ``airs plan --json`` and a ``pulumi stack export``: ``airs diff --against`` compares
with either, ``airs plan --stack-outputs`` reads a security stack's outputs from either.
The lowest layer of ``components/cli``: it imports nothing of ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.runtime import rpc

SIG_KEY = rpc._special_sig_key  # how Pulumi marks secrets (and other special values) in JSON
STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE = "pulumi:pulumi:StackReference"


def file_kind(doc: Any) -> str:
    """``export`` (``pulumi stack export``) or ``plan`` (``airs plan --json``).

    Raises:
        ValueError: the document is neither.
    """
    if isinstance(doc, Mapping) and isinstance(doc.get("deployment"), Mapping):
        return "export"
    if isinstance(doc, Mapping) and isinstance(doc.get("resources"), list):
        return "plan"
    raise ValueError("not a saved `airs plan --json` nor a `pulumi stack export` file")

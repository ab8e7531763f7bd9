"""Pulumi assets and archives as content, never as Python objects.

A plan value may hold an asset (``pulumi.StringAsset``, ``FileAsset``, ``RemoteAsset``) or an
archive (``AssetArchive``, ``FileArchive``, ``RemoteArchive``): an AWS Lambda's code, for one.
``str()`` of such an object is its memory address, different on every run, so the plan JSON and
``airs diff`` use :func:`asset_json` instead: ``{"__asset": kind, "hash": sha256}`` where the
hash is that of the content (a text asset's text, a file asset's bytes, the same sha256 Pulumi
puts in its state), an :class:`~pulumi.AssetArchive` lists its members as well and hashes their
names and hashes. Remote ones are named by URI: their content is not fetched offline.

:func:`asset_from_state` reads the form ``pulumi stack export`` holds (the engine's signature
key, ``hash``, ``text``/``path``/``uri``/``assets``) into the same shape, so a deployed asset
compares with the program's by content.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import rpc

from components.cli.plan_files import SIG_KEY

ASSET_KEY = "__asset"
"""The key naming the kind (``StringAsset``, ``AssetArchive``…) in an asset's plan value."""
ASSET_SIG = rpc._special_asset_sig
ARCHIVE_SIG = rpc._special_archive_sig


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _members_hash(members: Mapping[str, Mapping[str, Any]]) -> str:
    """One hash for an archive's members: their names and their content (hash or URI)."""
    lines = [
        f"{name}\0{m.get('hash') or m.get('uri') or ''}\n" for name, m in sorted(members.items())
    ]
    return _sha256("".join(lines).encode())


def _file_hash(path: str) -> str | None:
    try:
        return _sha256(Path(path).read_bytes())
    except OSError:
        return None  # the plan still runs; the asset is then named by its path only


def _dir_members(path: Path) -> dict[str, dict[str, Any]]:
    return {
        str(f.relative_to(path)): {ASSET_KEY: "FileAsset", "hash": _file_hash(str(f))}
        for f in sorted(path.rglob("*"))
        if f.is_file()
    }


def is_asset(value: Any) -> bool:
    """Whether ``value`` is a Pulumi asset or archive object."""
    return isinstance(value, pulumi.Asset | pulumi.Archive)


def asset_json(value: pulumi.Asset | pulumi.Archive) -> dict[str, Any]:
    """The content-based plan value of an asset or archive (stable from run to run).

    Args:
        value: a ``pulumi.Asset`` or ``pulumi.Archive`` found in a resource's inputs.
    """
    kind = type(value).__name__
    if isinstance(value, pulumi.StringAsset):
        return {ASSET_KEY: kind, "hash": _sha256(value.text.encode())}
    if isinstance(value, pulumi.FileAsset):
        digest = _file_hash(str(value.path))
        return (
            {ASSET_KEY: kind, "hash": digest} if digest else {ASSET_KEY: kind, "path": value.path}
        )
    if isinstance(value, pulumi.RemoteAsset | pulumi.RemoteArchive):
        return {ASSET_KEY: kind, "uri": value.uri}
    if isinstance(value, pulumi.AssetArchive):
        members = {str(k): asset_json(v) for k, v in value.assets.items()}
        return {ASSET_KEY: kind, "hash": _members_hash(members), "assets": members}
    if isinstance(value, pulumi.FileArchive):
        path = Path(str(value.path))
        if path.is_dir():
            return {ASSET_KEY: kind, "hash": _members_hash(_dir_members(path)), "path": value.path}
        digest = _file_hash(str(path))
        return (
            {ASSET_KEY: kind, "hash": digest} if digest else {ASSET_KEY: kind, "path": value.path}
        )
    return {ASSET_KEY: kind}


def asset_from_state(value: Mapping[str, Any]) -> dict[str, Any] | None:
    """An asset or archive as ``pulumi stack export`` holds it, in :func:`asset_json`'s shape.

    Returns None for what cannot be compared with the program's value: an archive given by
    path (the engine hashes a tar stream of it, which is not our hash), or a value that is
    neither an asset nor an archive.

    Args:
        value: a property value carrying the engine's signature key.
    """
    sig = value.get(SIG_KEY)
    if sig == ASSET_SIG:
        if "uri" in value:
            return {ASSET_KEY: "RemoteAsset", "uri": value["uri"]}
        if "path" in value:  # the engine's hash of a file is the sha256 of its bytes, as ours
            return {ASSET_KEY: "FileAsset", "hash": value.get("hash")}
        text = value.get("text")
        digest = _sha256(str(text).encode()) if text is not None else value.get("hash")
        return {ASSET_KEY: "StringAsset", "hash": digest}
    if sig == ARCHIVE_SIG:
        if "uri" in value:
            return {ASSET_KEY: "RemoteArchive", "uri": value["uri"]}
        assets = value.get("assets")
        if isinstance(assets, Mapping):
            members: dict[str, dict[str, Any]] = {}
            for name, member in assets.items():
                read = asset_from_state(member) if isinstance(member, Mapping) else None
                if read is None:
                    return None
                members[str(name)] = read
            return {ASSET_KEY: "AssetArchive", "hash": _members_hash(members), "assets": members}
    return None

"""Set one key of a stack file as ``pulumi config set`` does, keeping its comments and order.

The file is edited by a ruamel.yaml round trip: comments, key order, quoting and
indentation of the lines not set stay as they were. The semantics are Pulumi's
(``sdk/go/common/resource/config/map.go``):

- a key without a namespace gets the project's (``panoramaApiKey`` → ``airs:panoramaApiKey``);
- without ``--path`` the key is taken literally (``airs:a.b`` is one key of that name);
- with ``--path`` its name is a property path (``clusters.gke.kubeconfig``,
  ``zones[0]``, ``["key.with.dots"]``): maps and lists on the way are created, an index may
  append (``[len]``), a type that does not fit is an error, and the value below the top
  level is ``true``/``false`` as a boolean and an integer (no leading zero) as a number;
- ``--secret`` stores ``secure: <ciphertext>`` under the passphrase secrets provider with
  the stack's ``encryptionsalt`` (made when the file has none, as ``pulumi stack init``
  does); a stack on another secrets provider is refused.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.cli.stackfile import PassphraseCrypter

PathSegment = str | int
_INDENTS = ((2, 2, 0), (2, 4, 2), (4, 4, 2), (4, 4, 0), (4, 6, 4), (2, 3, 1))
"""(mapping, sequence, offset) indentations tried until one writes the file back unchanged."""


class ConfigSetError(Exception):
    """The key, the value or the stack file does not allow the change."""


@dataclass(frozen=True)
class ConfigKey:
    """A parsed config key: namespace, its name, and the path when ``--path`` is given."""

    namespace: str
    name: str
    path: tuple[PathSegment, ...] | None = None

    @property
    def full(self) -> str:
        """``namespace:name`` as written on the command line."""
        return f"{self.namespace}:{self.name}"

    @property
    def top(self) -> str:
        """The stack file's key under ``config:`` that holds the value."""
        return f"{self.namespace}:{self.path[0]}" if self.path else self.full


def parse_key(text: str, project: str, *, path: bool) -> ConfigKey:
    """``KEY`` of ``config set``: namespace (default the project's) and, with ``path``, its
    property path."""
    namespace, sep, name = text.partition(":")
    if not sep:
        namespace, name = project, text
    if not namespace or not name:
        raise ConfigSetError(f"config key {text!r}: expected [namespace:]name")
    if not path:
        return ConfigKey(namespace, name)
    segments = parse_path(name)
    if not isinstance(segments[0], str):
        raise ConfigSetError(f"config key {text!r}: the path must start with a key name")
    return ConfigKey(namespace, name, tuple(segments))


def parse_path(text: str) -> list[PathSegment]:
    """A property path as Pulumi reads it: ``a.b[0]["c.d"]`` → ``["a", "b", 0, "c.d"]``."""
    segments: list[PathSegment] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == "[":
            if text.startswith('["', i):
                end = text.find('"]', i + 2)
                if end < 0:
                    raise ConfigSetError(f'path {text!r}: missing "] after ["')
                segments.append(text[i + 2 : end])
                i = end + 2
            else:
                end = text.find("]", i)
                index = text[i + 1 : end] if end > 0 else ""
                if not index.isdigit():
                    raise ConfigSetError(f"path {text!r}: [{index}] is not a list index")
                segments.append(int(index))
                i = end + 1
        else:
            end = i
            while end < n and text[end] not in ".[":
                end += 1
            if end == i:
                raise ConfigSetError(f"path {text!r}: empty key at position {i}")
            segments.append(text[i:end])
            i = end
        if i < n and text[i] == ".":
            i += 1
            if i == n or text[i] in ".[":
                raise ConfigSetError(f"path {text!r}: empty key at position {i}")
        elif i < n and text[i] != "[":
            raise ConfigSetError(f"path {text!r}: unexpected {text[i]!r} at position {i}")
    if not segments:
        raise ConfigSetError("empty config key path")
    return segments


def path_value(value: str) -> Any:
    """A plaintext value set below the top level with ``--path``, typed as Pulumi types it."""
    if value in ("true", "false"):
        return value == "true"
    if len(value) > 1 and value[0] == "0":
        return value  # "0123" stays a string (serial numbers, zone names)
    try:
        return int(value)
    except ValueError:
        return value


# --------------------------------------------------------------------------- the file


def _yaml(indent: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line (ciphertexts, resource ids)
    yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    return yaml


def _dump(yaml: Any, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def load_document(text: str) -> tuple[Any, Any]:
    """(ruamel YAML object, document) for ``text``, with the indentation that writes the
    unchanged document back byte for byte (the first that does; else two spaces)."""
    for indent in _INDENTS:
        yaml = _yaml(indent)
        data = yaml.load(text)
        if _dump(yaml, data) == text:
            return yaml, data
    yaml = _yaml(_INDENTS[0])
    return yaml, yaml.load(text)


def stack_crypter(document: Any, passphrase: str) -> tuple[PassphraseCrypter, bool]:
    """The stack's passphrase crypter, and whether its ``encryptionsalt`` is new.

    Raises:
        ConfigSetError: the stack uses another secrets provider.
        components.cli.stackfile.StackFileError: the passphrase is not the stack's.
    """
    provider = str(document.get("secretsprovider") or "passphrase")
    if provider != "passphrase" or document.get("encryptedkey"):
        raise ConfigSetError(
            f"the stack's secrets provider is {provider} (encryptedkey set): airs encrypts "
            "only with the passphrase provider; use `pulumi config set --secret`"
        )
    salt = document.get("encryptionsalt")
    if salt:
        return PassphraseCrypter(passphrase, str(salt)), False
    return PassphraseCrypter(passphrase), True


def _text(value: str) -> Any:
    """A string as ruamel writes it: a multi-line one as a literal block (``|``)."""
    if "\n" in value:
        from ruamel.yaml.scalarstring import LiteralScalarString

        return LiteralScalarString(value)
    return value


def _secure(container: Any, key: Any, ciphertext: str) -> Any:
    """The secure value to store at ``container[key]``: the existing ``{secure: …}`` map
    updated in place (its comments stay), else a new one."""
    from ruamel.yaml.comments import CommentedMap

    current = _get(container, key)
    if isinstance(current, dict) and set(current) == {"secure"}:
        current["secure"] = ciphertext
        return current
    return CommentedMap([("secure", ciphertext)])


def _get(container: Any, key: PathSegment) -> Any:
    if isinstance(container, list):
        return container[key] if isinstance(key, int) and key < len(container) else None
    return container.get(key)


def _put(container: Any, key: PathSegment, value: Any) -> None:
    if isinstance(container, list):
        assert isinstance(key, int)
        if key == len(container):
            container.append(value)
        else:
            container[key] = value
    else:
        container[key] = value


def _walk(config: Any, key: ConfigKey) -> tuple[Any, PathSegment]:
    """The container the last path segment goes into, made on the way as Pulumi makes it."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    assert key.path is not None
    container: Any = config
    at: PathSegment = key.top
    for segment in key.path[1:]:
        if isinstance(container, list) and isinstance(at, int) and at > len(container):
            raise ConfigSetError(f"{key.full}: list index {at} is out of range")
        current = _get(container, at)
        if container is config and isinstance(current, str):
            current = None  # a top-level string is overwritten by the object, in its place
        if current is None:
            current = CommentedSeq() if isinstance(segment, int) else CommentedMap()
            _put(container, at, current)
        elif isinstance(segment, int) and not isinstance(current, list):
            raise ConfigSetError(f"{key.full}: a list was expected for index {segment}")
        elif isinstance(segment, str) and not isinstance(current, dict):
            raise ConfigSetError(f"{key.full}: a map was expected for key {segment!r}")
        container, at = current, segment
    if isinstance(container, list) and isinstance(at, int) and at > len(container):
        raise ConfigSetError(f"{key.full}: list index {at} is out of range")
    return container, at


def set_value(
    text: str, key: ConfigKey, value: str, *, crypter: PassphraseCrypter | None
) -> tuple[str, bool]:
    """The stack file ``text`` with ``key`` set to ``value`` (encrypted when ``crypter`` is
    given), and whether an ``encryptionsalt`` was added.

    Raises:
        ConfigSetError: the path does not fit the values already there.
    """
    from ruamel.yaml.comments import CommentedMap

    yaml, loaded = load_document(text)
    if loaded is not None and not isinstance(loaded, CommentedMap):
        raise ConfigSetError("the stack file is not a mapping")
    document: CommentedMap = loaded if loaded is not None else CommentedMap()
    added_salt = False
    if crypter is not None and not document.get("encryptionsalt"):
        # Where Pulumi keeps it: first key of the file.
        document.insert(0, "encryptionsalt", crypter.encryption_salt)
        added_salt = True
    if not isinstance(document.get("config"), dict):
        document["config"] = CommentedMap()
    config = document["config"]
    container: Any
    at: PathSegment
    if key.path is None or len(key.path) == 1:
        container, at = config, key.top
        stored: Any = _text(value)
    else:
        container, at = _walk(config, key)
        stored = path_value(value) if crypter is None else value
        if isinstance(stored, str):
            stored = _text(stored)
    if crypter is not None:
        stored = _secure(container, at, crypter.encrypt(value))
    _put(container, at, stored)
    if isinstance(container, dict) and set(container) == {"secure"} and crypter is None:
        raise ConfigSetError(f'{key.full}: "secure" key in maps of length 1 are reserved')
    return _dump(yaml, document), added_salt


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (a crash never leaves half a stack file)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

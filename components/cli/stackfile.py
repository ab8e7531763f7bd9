"""Read ``Pulumi.yaml`` and ``stacks/Pulumi.<stack>.yaml`` the way the Pulumi CLI does.

Config keys are namespaced (``airs:cloud``); the project's ``config:`` block declares types
and defaults for the ``airs`` keys; ``secure:`` values are secrets. With
``PULUMI_CONFIG_PASSPHRASE`` set they are decrypted exactly as the passphrase secrets
provider does (PBKDF2-SHA256, 1,000,000 rounds, AES-256-GCM); without it they stay opaque
and the plan shows them as ``[secret]``. ESC ``environment:`` imports cannot be resolved
offline: they are reported, and the keys they would provide count as unset.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# StackFileError lives with the file reading; the CLI and the tests catch it from here.
from components.cli.stackchecks import default_providers
from components.cli.yamlfile import FileProblem as FileProblem
from components.cli.yamlfile import StackFileError as StackFileError
from components.cli.yamlfile import YamlDocument, display_key, read
from components.config import NAMESPACE, SECRET_SHOWN, ConfigProblem, show
from components.config.base import looks_secret
from components.config.secrets import secure_typo_hint, set_secret_hint

PLACEHOLDER_SECRET = "[secret]"
PBKDF2_ROUNDS = 1_000_000
MAX_ALIASED_VALUES = 10_000
"""The most values YAML aliases may add to one key of a file, beyond those written out."""


@dataclass(frozen=True)
class Project:
    """The parts of ``Pulumi.yaml`` the offline tools need."""

    root: Path
    name: str
    stack_config_dir: Path
    declared: dict[str, dict[str, Any]]
    """Project config declarations (``config:`` block), keyed without namespace."""

    def stack_file(self, stack: str) -> Path:
        """Path of ``Pulumi.<stack>.yaml``."""
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        """Names of every stack file present."""
        return sorted(
            p.name[len("Pulumi.") : -len(".yaml")]
            for p in self.stack_config_dir.glob("Pulumi.*.yaml")
        )


@dataclass
class StackSettings:
    """One stack's configuration, as Pulumi would hand it to the program."""

    stack: str
    config: dict[str, str]
    """Full key (``ns:key``) → value as a string (objects as JSON), secrets decrypted or opaque."""
    secret_keys: list[str]
    """Full keys Pulumi treats as secret (a nested ``secure:`` makes the whole key secret)."""
    problems: list[ConfigProblem] = field(default_factory=list)
    """Type/required errors against the project's config declarations."""
    warnings: list[FileProblem] = field(default_factory=list)
    decrypted: bool = False
    path: Path | None = None
    """The stack file read."""
    key_lines: dict[str, int] = field(default_factory=dict)
    """Line of each config key in ``path`` (``airs:clusters.apps.zones[0]`` → 12)."""


def find_project(start: Path | None = None, *, stacks_dir: Path | None = None) -> Project:
    """Find ``Pulumi.yaml`` in ``start`` (default: the current folder) or its parents.

    Without ``start``, a ``stacks_dir`` (``--stacks-dir``) inside a project finds that
    project too, so ``airs --stacks-dir ~/airs/tests/bad_inputs …`` works from anywhere.
    """
    here = (start or Path.cwd()).resolve()
    places = [here]
    if start is None and stacks_dir is not None:
        places.append(stacks_dir.resolve())
    for place in places:
        for folder in (place, *place.parents):
            candidate = folder / "Pulumi.yaml"
            if candidate.is_file():
                return load_project(candidate)
    if start is not None:
        raise StackFileError(f"no Pulumi.yaml in {here} or its parents (--project {start})")
    where = f"{here} or its parents"
    if len(places) > 1:
        where = f"{here}, {places[1]} or their parents"
    raise StackFileError(
        f"no Pulumi.yaml in {where}: run airs inside the project, or give its folder with "
        "--project DIR"
    )


def load_project(path: Path) -> Project:
    """Read one ``Pulumi.yaml``."""
    data = _read_yaml(path)
    if not isinstance(data, dict) or "name" not in data:
        raise StackFileError(f"{path}: not a Pulumi project file (no `name`)")
    declared: dict[str, dict[str, Any]] = {}
    for key, decl in (data.get("config") or {}).items():
        if ":" in key and not key.startswith(f"{data['name']}:"):
            continue  # provider keys take plain values; nothing to declare
        short = key.split(":", 1)[-1]
        declared[short] = decl if isinstance(decl, dict) else {"default": decl}
    config_dir = path.parent / str(data.get("stackConfigDir", "."))
    return Project(
        root=path.parent, name=str(data["name"]), stack_config_dir=config_dir, declared=declared
    )


def _read_yaml(path: Path) -> Any:
    """The document in ``path``, as ``yaml.safe_load`` reads it, once it is known to be sane."""
    return _read_document(path).data


def _read_document(path: Path) -> YamlDocument:
    """``path`` parsed, with the line of each key; refused in one line when Pulumi would not
    read it (not UTF-8/UTF-16, a key given twice, over 1 MiB: components/cli/yamlfile.py).

    A YAML alias is cheap to write and is expanded wherever the value is used (JSON for the
    program, an error line): nine nested aliases of nine make a billion values. The node
    graph is measured before anything is built from it, as the Pulumi CLI's YAML reader
    refuses excessive aliasing.
    """
    return read(path, check=lambda node: _refuse_alias_bombs(node, path))


class _SelfReference(Exception):
    """A YAML alias inside the value it refers to."""


def _refuse_alias_bombs(root: Node, path: Path) -> None:
    """Refuse a document whose aliases add more than :data:`MAX_ALIASED_VALUES` values to a key.

    A long stack written out (3,000 applications) is fine; it is the values that exist only
    through aliases that grow without bound. Each node is measured once (an alias is the node
    it names), so this costs the size of the file, not of its expansion.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        """Values under ``node`` with every alias expanded."""
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in active:
            raise _SelfReference
        active.add(id(node))
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(item) for item in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(id(node))
        sizes[id(node)] = total
        return total

    def written(node: Node) -> int:
        """Values under ``node`` written out, each node once however often aliased."""
        seen: set[int] = set()
        todo = [node]
        while todo:
            current = todo.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            if isinstance(current, SequenceNode):
                todo += current.value
            elif isinstance(current, MappingNode):
                todo += [part for pair in current.value for part in pair]
        return len(seen)

    # Name the key at fault: a stack file's config key, or else a top-level one.
    entries: list[tuple[str, Node]] = []
    if isinstance(root, MappingNode):
        for key, value in root.value:
            name = key.value if isinstance(key, ScalarNode) else "?"
            if name == "config" and isinstance(value, MappingNode):
                entries += [
                    (k.value if isinstance(k, ScalarNode) else "?", v) for k, v in value.value
                ]
            entries.append((name, value))
    else:
        entries.append(("the document", root))
    for name, node in entries:
        try:
            expanded = size(node)
        except _SelfReference:
            raise StackFileError(
                f"{path}: {name}: a YAML alias refers to a value it is part of (a value "
                "cannot contain itself)"
            ) from None
        if expanded - MAX_ALIASED_VALUES > written(node):
            raise StackFileError(
                f"{path}: {name}: YAML aliases expand it to {expanded:,} values from "
                f"{written(node):,} written out, more than {MAX_ALIASED_VALUES:,} added: "
                'refused before reading it (nested aliases, a "billion laughs"); write the '
                "value out"
            )


# --------------------------------------------------------------------------- passphrase crypto


@cache
def _key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, PBKDF2_ROUNDS, 32)


def _aesgcm(key: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _encrypt(key: bytes, plaintext: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = _aesgcm(key).encrypt(nonce, plaintext.encode(), None)
    return f"v1:{base64.b64encode(nonce).decode()}:{base64.b64encode(sealed).decode()}"


def _decrypt(key: bytes, ciphertext: str) -> str:
    version, nonce, sealed = ciphertext.split(":")
    if version != "v1":
        raise ValueError("unknown secret version")
    return str(
        _aesgcm(key).decrypt(base64.b64decode(nonce), base64.b64decode(sealed), None).decode()
    )


class PassphraseCrypter:
    """The Pulumi passphrase secrets provider for one stack (its ``encryptionsalt``)."""

    def __init__(self, passphrase: str, encryption_salt: str | None = None) -> None:
        """Open an existing salt, or make a new one when ``encryption_salt`` is None."""
        if encryption_salt is None:
            salt = secrets.token_bytes(8)
            self.key = _key(passphrase, salt)
            self.encryption_salt = f"v1:{base64.b64encode(salt).decode()}:" + _encrypt(
                self.key, "pulumi"
            )
            return
        version, salt_b64, check = encryption_salt.split(":", 2)
        if version != "v1":
            raise StackFileError(f"unknown encryptionsalt version {version!r}")
        self.key = _key(passphrase, base64.b64decode(salt_b64))
        self.encryption_salt = encryption_salt
        try:
            ok = _decrypt(self.key, check) == "pulumi"
        except Exception:
            ok = False
        if not ok:
            raise StackFileError("incorrect passphrase for this stack (PULUMI_CONFIG_PASSPHRASE)")

    def encrypt(self, plaintext: str) -> str:
        """Ciphertext for a ``secure:`` value."""
        return _encrypt(self.key, plaintext)

    def decrypt(self, ciphertext: str) -> str:
        """Plaintext of a ``secure:`` value."""
        return _decrypt(self.key, ciphertext)


def _passphrase() -> str | None:
    if "PULUMI_CONFIG_PASSPHRASE" in os.environ:
        return os.environ["PULUMI_CONFIG_PASSPHRASE"]
    path = os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").rstrip("\n")
    return None


# --------------------------------------------------------------------------- stack settings


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _resolve(value: Any, crypter: PassphraseCrypter | None) -> tuple[Any, bool]:
    """Replace ``secure:`` leaves (decrypted or opaque) and say whether any was found."""
    if _is_secure(value):
        if crypter is None:
            return PLACEHOLDER_SECRET, True
        try:
            return crypter.decrypt(str(value["secure"])), True
        except Exception as exc:
            raise StackFileError(f"a secure value does not decrypt: {exc}") from None
    if isinstance(value, dict):
        found = False
        out: dict[str, Any] = {}
        for k, v in value.items():
            out[str(k)], sub = _resolve(v, crypter)
            found = found or sub
        return out, found
    if isinstance(value, list):
        items = [_resolve(v, crypter) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _as_config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def load_stack(project: Project, stack: str, *, decrypt: bool | None = None) -> StackSettings:
    """Read ``Pulumi.<stack>.yaml`` merged with the project's defaults.

    Args:
        project: the project.
        stack: stack name.
        decrypt: decrypt ``secure:`` values (default: when ``PULUMI_CONFIG_PASSPHRASE`` is set).
    """
    path = project.stack_file(stack)
    document = _read_document(path)
    data = document.data or {}
    if not isinstance(data, dict):
        raise StackFileError(f"{path}: a stack file is a mapping")
    raw_config = data.get("config") or {}
    if not isinstance(raw_config, dict):
        raise StackFileError(f"{path}: `config` must be a mapping")
    # Each config key's line, named as errors name it (`airs:clusters.apps.zones[0]`).
    key_lines = {
        display_key(where): line
        for where, line in document.lines.items()
        if len(where) > 1 and where[0] == "config"
    }
    warnings = default_providers(path, raw_config, key_lines)
    env = data.get("environment")
    if env:
        names = env if isinstance(env, list) else ["<inline environment>"]
        text = (
            f"stack imports ESC environment(s) {', '.join(map(str, names))}: Pulumi Cloud "
            "resolves them at run time; offline, the keys they provide count as unset"
        )
        warnings.append(FileProblem(text, path, document.lines.get(("environment",))))
    crypter: PassphraseCrypter | None = None
    passphrase = _passphrase()
    want = decrypt if decrypt is not None else passphrase is not None
    if want:
        if passphrase is None:
            raise StackFileError("decryption asked for, but PULUMI_CONFIG_PASSPHRASE is not set")
        salt = data.get("encryptionsalt")
        if not salt:
            raise StackFileError(f"{path}: no encryptionsalt (not a passphrase-provider stack)")
        crypter = PassphraseCrypter(passphrase, str(salt))

    config: dict[str, str] = {}
    secret_keys: list[str] = []
    problems: list[ConfigProblem] = []
    present: set[str] = set()
    for key, value in raw_config.items():
        key = str(key)
        if ":" not in key:
            raise StackFileError(
                f"{path}: config key {key!r} must be namespaced (`{NAMESPACE}:{key}`)"
            )
        resolved, is_secret = _resolve(value, crypter)
        config[key] = _as_config_string(resolved)
        if is_secret:
            secret_keys.append(key)
        ns, short = key.split(":", 1)
        if ns == project.name:
            present.add(short)
            decl = project.declared.get(short)
            expected = decl.get("type") if decl else None
            if expected in _TYPES and not is_secret:
                ok = isinstance(resolved, _TYPES[expected]) and not (
                    expected == "integer" and isinstance(resolved, bool)
                )
                if not ok:
                    problems.append(_type_problem(short, resolved, expected))
    for short, decl in project.declared.items():
        if short in present:
            continue
        if "default" in decl:
            config[f"{project.name}:{short}"] = _as_config_string(decl["default"])
        else:
            problems.append(
                ConfigProblem(short, "<missing>", "is required (Pulumi.yaml declares no default)")
            )
    return StackSettings(
        stack=stack,
        config=config,
        secret_keys=secret_keys,
        problems=problems,
        warnings=warnings,
        decrypted=crypter is not None,
        path=path,
        key_lines=key_lines,
    )


def _type_problem(key: str, value: Any, expected: str) -> ConfigProblem:
    """``airs:<key>`` is not of the type ``Pulumi.yaml`` declares for it."""
    # A key that names a secret never shows its value, even one of the wrong type: a
    # `secret:` written for `secure:` leaves the secret in plain sight.
    secret = looks_secret(key)
    shown = SECRET_SHOWN if secret else show(value)
    hint = secure_typo_hint(key, value)
    if not hint and secret:
        hint = f" (a secret: set it with {set_secret_hint(key)})"
    return ConfigProblem(key, shown, f"must be of type {expected}{hint}")


def airs_values(settings: StackSettings) -> tuple[dict[str, Any], set[str]]:
    """The ``airs:*`` values (without namespace) and which are secret, for the config parser."""
    raw: dict[str, Any] = {}
    secret: set[str] = set()
    for key, value in settings.config.items():
        ns, short = key.split(":", 1)
        if ns == NAMESPACE:
            raw[short] = value
            if key in settings.secret_keys:
                secret.add(short)
    return raw, secret

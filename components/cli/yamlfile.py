"""Read ``Pulumi.yaml`` and stack files as the Pulumi CLI reads them, or refuse in one line.

The Pulumi CLI reads these files with Go's ``gopkg.in/yaml.v3`` (after stripping a UTF-8
byte-order mark), which

- decodes UTF-8, or UTF-16 that starts with a byte-order mark; anything else (Latin-1,
  UTF-16 without a mark) is refused;
- refuses a mapping key given twice (``line 8: mapping key "airs:name" already defined at
  line 7``), where PyYAML keeps the last one without a word.

We do the same, and name the file, the line and the key. Files over ``MAX_BYTES`` (4 MiB)
are refused before they are parsed: PyYAML takes about a second per MiB (a 100 MB stack file
took 22 s to accept). The largest stack the project measures, item 10's 3,000 applications
on Azure (benchmarks/validation.py), is 1.2 MB; the example stacks are under 4 KiB.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 4 * 1024 * 1024
"""The largest project or stack file read (4 MiB)."""

PathKey = tuple[str | int, ...]
"""Where a value sits in a document: mapping keys and list indexes from the root."""

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class FileProblem:
    """Why a project or stack file cannot be used, with where it is when known."""

    text: str
    """The whole one-line message (printed after ``error:``)."""
    path: Path | None = None
    line: int | None = None
    """1-based line in ``path``."""
    key: str | None = None
    """The key it is about (``airs:name``), when it is about one."""
    value: str | None = None
    """The value as shown to the user (never a secret)."""
    rule: str | None = None
    """The rule broken, for ``--json`` (the text when not given)."""

    def __str__(self) -> str:
        return self.text


class StackFileError(Exception):
    """The project or stack file cannot be read at all; one ``FileProblem`` per reason."""

    def __init__(self, *problems: FileProblem | str) -> None:
        self.problems = [p if isinstance(p, FileProblem) else FileProblem(p) for p in problems]
        super().__init__("\n".join(p.text for p in self.problems))


@dataclass(frozen=True)
class YamlDocument:
    """A parsed file and the line of every mapping key and list item in it."""

    data: Any
    lines: dict[PathKey, int]


def display_key(where: PathKey) -> str:
    """``config.airs:clusters.apps.zones[0]`` → ``airs:clusters.apps.zones[0]``.

    Keys under a Pulumi file's ``config:`` are shown as the config key, which is how every
    other error names them.
    """
    parts = list(where[1:] if len(where) > 1 and where[0] == "config" else where)
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def read(path: Path, check: Callable[[yaml.Node], None] | None = None) -> YamlDocument:
    """Read and parse ``path``; raise ``StackFileError`` with a one-line reason otherwise.

    ``check`` sees the node graph before anything is built from it (and may refuse it).
    """
    raw = _read_bytes(path)
    text = _decode(path, raw)
    return _parse(path, text, check)


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            # At most one byte past the limit: a huge file (or a device) is never read whole.
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise StackFileError(FileProblem(f"{path} does not exist", path)) from None
    except IsADirectoryError:
        raise StackFileError(FileProblem(f"{path} is a folder, not a file", path)) from None
    except OSError as exc:
        raise StackFileError(
            FileProblem(f"{path}: cannot read it: {exc.strerror or exc}", path)
        ) from None
    if len(raw) > MAX_BYTES:
        size = _size(path)
        rule = f"is at most {MAX_BYTES // 1024 // 1024} MiB ({MAX_BYTES:,} bytes)"
        raise StackFileError(
            FileProblem(
                f"{path}: {size} — a project or stack file {rule}; is it the right file?",
                path,
                rule=rule,
            )
        )
    return raw


def _size(path: Path) -> str:
    try:
        return f"{path.stat().st_size:,} bytes"
    except OSError:
        return f"more than {MAX_BYTES:,} bytes"


def _decode(path: Path, raw: bytes) -> str:
    """Text of ``raw`` the way yaml.v3 decodes it, or a one-line refusal."""
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        # "utf-16" reads the byte-order mark and drops it; "utf-8-sig" drops a UTF-8 one.
        text = raw.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        if utf16:
            what = "not valid UTF-16 although it starts with a UTF-16 byte-order mark"
        else:
            what = f"byte 0x{raw[exc.start]:02x} is not UTF-8 (is the file Latin-1 or cp1252?)"
        raise StackFileError(_encoding_problem(path, line, column, what)) from None
    if "\x00" in text:
        # UTF-16 without a byte-order mark: ASCII text decodes as UTF-8 with a NUL after
        # every character, which yaml.v3 refuses as a control character.
        line, column = _position(text.encode("utf-8"), text.encode("utf-8").index(b"\x00"))
        what = "NUL characters: it looks like UTF-16 without a byte-order mark"
        raise StackFileError(_encoding_problem(path, line, column, what))
    return text


def _encoding_problem(path: Path, line: int, column: int, what: str) -> FileProblem:
    rule = "Pulumi reads UTF-8 (or UTF-16 that starts with a byte-order mark): save it as UTF-8"
    return FileProblem(
        f"{path}: line {line}, column {column}: {what}; {rule}", path, line, rule=f"{what}; {rule}"
    )


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based (line, column) of byte ``offset``; the column counts bytes."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _parse(path: Path, text: str, check: Callable[[yaml.Node], None] | None) -> YamlDocument:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[PathKey, int] = {}
        duplicates: list[FileProblem] = []
        if node is not None:
            if check is not None:
                check(node)
            _walk(path, node, (), lines, duplicates, set())
        if duplicates:
            raise StackFileError(*duplicates)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise StackFileError(_yaml_problem(path, exc)) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise StackFileError(FileProblem(f"{path}: not valid YAML: {message}", path)) from None
    except RecursionError:
        raise StackFileError(
            FileProblem(f"{path}: not valid YAML: values nested too deeply", path)
        ) from None
    finally:
        loader.dispose()
    return YamlDocument(data, lines)


def _yaml_problem(path: Path, exc: yaml.MarkedYAMLError) -> FileProblem:
    """One line: where, and what the parser says (its context and problem)."""
    mark = exc.problem_mark or exc.context_mark
    what = ", ".join(part for part in (exc.context, exc.problem) if part) or "cannot parse"
    what = " ".join(what.split())
    if mark is None:
        return FileProblem(f"{path}: not valid YAML: {what}", path)
    line = mark.line + 1
    return FileProblem(
        f"{path}: line {line}, column {mark.column + 1}: not valid YAML: {what}",
        path,
        line,
        rule=f"not valid YAML: {what}",
    )


def _walk(
    path: Path,
    node: yaml.Node,
    where: PathKey,
    lines: dict[PathKey, int],
    duplicates: list[FileProblem],
    seen: set[int],
) -> None:
    """Record each key's and item's line; report keys given twice, as yaml.v3 does."""
    if id(node) in seen:  # an alias of a node already walked (or a recursive anchor)
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                continue
            key: str = key_node.value
            line = key_node.start_mark.line + 1
            if key in first_line:
                # yaml.v3 compares the key's kind and text, so `"a"` and `a` are the same key.
                shown = display_key((*where, key))
                rule = (
                    f"is already set at line {first_line[key]}; Pulumi refuses a key given "
                    "twice: keep one"
                )
                duplicates.append(
                    FileProblem(
                        f"{path}: line {line}: {shown} {rule}", path, line, shown, rule=rule
                    )
                )
                continue
            first_line[key] = line
            lines[(*where, key)] = line
            _walk(path, value_node, (*where, key), lines, duplicates, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*where, index)] = item.start_mark.line + 1
            _walk(path, item, (*where, index), lines, duplicates, seen)

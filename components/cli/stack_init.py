"""``airs init`` and ``airs config set``: a new stack and its values without the Pulumi CLI.

``airs init --stack S --cloud TARGET`` writes ``Pulumi.S.yaml`` from the target's template
(``stack_templates``): every required key with example values that pass ``airs validate``;
with ``PULUMI_CONFIG_PASSPHRASE`` also an ``encryptionsalt`` and example secrets encrypted
as Pulumi's passphrase provider does. It never overwrites a stack file.

``airs config set [--secret] [--path] --stack S KEY [VALUE]`` changes one key the way
``pulumi config set`` does (``config_edit``), keeping the file's comments and order.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

from components.cli import config_edit, stack_templates
from components.cli.stackfile import PassphraseCrypter, Project, StackFileError

EXIT_OK = 0
EXIT_BAD_INPUT = 2
STACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
PASSPHRASE_NEEDED = (
    "needs PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE): airs encrypts as "
    "Pulumi's passphrase secrets provider does, with the stack's encryptionsalt; export the "
    "stack's passphrase, or use `pulumi config set --secret` for a stack on a KMS or Pulumi "
    "Cloud secrets provider"
)


INIT_EPILOG = (
    "exit codes: 0 written, 2 bad input (the stack file exists: never overwritten; a bad stack "
    "name; no Pulumi.yaml)"
)
SET_EPILOG = (
    "exit codes: 0 set, 2 bad input (no such stack file, a bad key or path, --secret without "
    "PULUMI_CONFIG_PASSPHRASE or with the wrong one, a stack on another secrets provider, a "
    "contract secret without --secret)"
)


def add_parsers(sub: Any) -> None:
    """Register ``init`` and ``config set`` on the ``airs`` subcommands."""
    from components.cli import usage

    init = sub.add_parser(
        "init",
        help="write a new stack file: every required key, example values, secrets "
        "encrypted with PULUMI_CONFIG_PASSPHRASE (never overwrites)",
        description="Write Pulumi.<stack>.yaml for a target: every key it requires, with "
        "example values marked EXAMPLE that pass `airs validate` as written; with "
        "PULUMI_CONFIG_PASSPHRASE also the encryptionsalt and example secrets, encrypted as "
        "Pulumi's passphrase provider does. An existing stack file is never overwritten.",
        epilog=INIT_EPILOG,
    )
    usage.add_stack(init, "the new stack", required=True)
    init.add_argument(
        "--cloud",
        required=True,
        choices=list(stack_templates.TARGETS),
        help="where the stack deploys (openshift, rancher, native: a private cloud)",
    )
    config = sub.add_parser(
        "config",
        help="change a stack's config without the Pulumi CLI, as `pulumi config` does",
        description="Change a stack's config as `pulumi config` does, in its stack file.",
        epilog=SET_EPILOG,
    )
    verbs = config.add_subparsers(
        dest="config_command", required=True, metavar="VERB", help="set: set one key"
    )
    put = verbs.add_parser(
        "set",
        help="set KEY to VALUE in the stack file (comments and order kept)",
        description="Set KEY to VALUE in Pulumi.<stack>.yaml as `pulumi config set` does: "
        "the same --path rules, secure values under the stack's encryptionsalt; the file's "
        "comments and key order are kept.",
        epilog=SET_EPILOG,
    )
    usage.add_stack(put, "the stack to change")
    put.add_argument(
        "--secret",
        action="store_true",
        help="encrypt the value (passphrase provider: needs PULUMI_CONFIG_PASSPHRASE)",
    )
    put.add_argument(
        "--path",
        action="store_true",
        help="KEY is a path into a map or list: airs:clusters.gke.kubeconfig, zones[0]",
    )
    put.add_argument("key", metavar="KEY", help="[namespace:]name (namespace default: airs)")
    put.add_argument(
        "value", metavar="VALUE", nargs="?", help="the value (default: read standard input)"
    )


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _project(args: argparse.Namespace) -> Project:
    from components.cli.stackfile import find_project

    project = find_project(args.project)
    if args.stacks_dir is not None:
        project = dataclasses.replace(project, stack_config_dir=args.stacks_dir)
    return project


def _passphrase() -> str | None:
    from components.cli import stackfile

    return stackfile._passphrase()  # the one reading of PULUMI_CONFIG_PASSPHRASE(_FILE)


def _set_command(stack: str, path: str, value: str = "'…'") -> str:
    flag = " --path" if "." in path.split(":", 1)[1] else ""
    return f"airs config set --stack {stack} --secret{flag} {path} {value}"


def _secret_commands(stack: str, paths: list[str]) -> list[str]:
    return [
        _set_command(stack, p, "< kubeconfig" if p.endswith(".kubeconfig") else "'…'")
        for p in paths
    ]


def _fill_secrets(text: str, stack: str, crypter: PassphraseCrypter | None) -> str:
    """The template with each ``@secret`` line written: encrypted example, or a comment."""

    def line(match: re.Match[str]) -> str:
        indent, path = match["indent"], match["path"]
        key = path.rsplit(".", 1)[1] if "." in path else path
        if crypter is None:
            return f"{indent}# {key}: a secret, set with the commands at the top"
        plaintext = stack_templates.example_plaintext(stack, path)
        return f"{indent}{key}:   # EXAMPLE secret\n{indent}  secure: {crypter.encrypt(plaintext)}"

    return stack_templates.SECRET_LINE.sub(line, text)


def _secrets_header(stack: str, paths: list[str], encrypted: bool) -> str:
    if encrypted:
        first = (
            "# Secrets: `airs init` wrote EXAMPLE values encrypted with PULUMI_CONFIG_PASSPHRASE\n"
            f"# (each decrypts to example:{stack}:<key>). Set yours with:"
        )
    else:
        first = (
            "# Secrets: `airs init` ran without PULUMI_CONFIG_PASSPHRASE and wrote none.\n"
            "# With the stack's passphrase exported, set them with:"
        )
    return "\n".join([first, *(f"#   {c}" for c in _secret_commands(stack, paths))]) + "\n"


def cmd_init(args: argparse.Namespace) -> int:
    """``airs init``: write a new stack file; exit 2 if it exists or the name is invalid."""
    stack = args.stack
    if not STACK_NAME.fullmatch(stack):
        _err(f"error: stack name {stack!r}: letters, digits, '-', '_' and '.' only")
        return EXIT_BAD_INPUT
    try:
        project = _project(args)
        passphrase = _passphrase()
    except (StackFileError, OSError) as exc:
        _err(f"error: {exc}")
        return EXIT_BAD_INPUT
    path = project.stack_file(stack)
    if path.exists():
        _err(
            f"error: {path} exists: airs init never overwrites a stack file (change it with "
            f"`airs config set --stack {stack} …` or an editor, or pick another name)"
        )
        return EXIT_BAD_INPUT
    body = stack_templates.template(args.cloud, stack)
    paths = stack_templates.secret_paths_of(body)
    crypter = PassphraseCrypter(passphrase) if passphrase is not None else None
    text = _fill_secrets(body, stack, crypter)
    head, _, rest = text.partition("\nconfig:\n")
    text = f"{head}\n{_secrets_header(stack, paths, crypter is not None)}config:\n{rest}"
    if crypter is not None:
        text = f"encryptionsalt: {crypter.encryption_salt}\n{text}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as out:  # "x": never over a file made meanwhile
            out.write(text)
    except FileExistsError:
        _err(f"error: {path} exists: airs init never overwrites a stack file")
        return EXIT_BAD_INPUT
    except OSError as exc:
        _err(f"error: cannot write {path}: {exc}")
        return EXIT_BAD_INPUT
    _report_init(stack, args.cloud, path, paths, encrypted=crypter is not None)
    return EXIT_OK


def _report_init(stack: str, cloud: str, path: Path, paths: list[str], *, encrypted: bool) -> None:
    what = stack_templates.TARGETS[cloud][0]
    print(f"wrote {path}: stack {stack} {what}, example values marked EXAMPLE")
    if encrypted:
        print(
            "secrets: example values encrypted with PULUMI_CONFIG_PASSPHRASE (new "
            "encryptionsalt); the stack passes `airs validate` as written"
        )
    else:
        print(
            "secrets: not written (PULUMI_CONFIG_PASSPHRASE is not set); `airs validate` "
            "reports them missing until you set them (export the passphrase first)"
        )
    print("next:")
    print("  1. replace each value marked EXAMPLE, in the file or with")
    print(f"     airs config set --stack {stack} [--path] KEY VALUE")
    print("  2. set the secrets:")
    for command in _secret_commands(stack, paths):
        print(f"     {command}")
    print(f"  3. airs validate --stack {stack} && airs plan --stack {stack}")
    print(
        f"  with the Pulumi CLI: pulumi stack init {stack} --secrets-provider passphrase "
        "(keeps this file's encryptionsalt)"
    )


# --------------------------------------------------------------------------- config set


@cache
def _secret_names() -> tuple[frozenset[str], frozenset[str]]:
    """(top-level secret keys, names of secret fields inside objects) of the contract."""
    import components.clouds  # noqa: F401  (imports every target's config model)
    from components.config.base import Model
    from components.config.parse import SECRET_KEYS
    from components.config.secrets import is_secret_annotation

    names: set[str] = set()
    todo: list[type[Model]] = [Model]
    while todo:
        model = todo.pop()
        todo += model.__subclasses__()
        for name, field in model.model_fields.items():
            if is_secret_annotation(field.annotation):
                names.add(field.alias or name)
    return frozenset(SECRET_KEYS), frozenset(names)


def is_contract_secret(key: config_edit.ConfigKey) -> bool:
    """Whether ``key`` names a secret of the ``airs:*`` contract (refused in plaintext)."""
    from components.config import NAMESPACE

    if key.namespace != NAMESPACE:
        return False
    top, nested = _secret_names()
    if key.path is None or len(key.path) == 1:
        return str(key.path[0] if key.path else key.name) in top
    last = key.path[-1]
    return isinstance(last, str) and last in nested


def _read_value(args: argparse.Namespace) -> str | None:
    """VALUE, else standard input (one trailing newline dropped, as Pulumi does)."""
    if args.value is not None:
        return str(args.value)
    if sys.stdin is None:
        return None
    if sys.stdin.isatty():
        prompt = f"value of {args.key}: "
        return getpass.getpass(prompt) if args.secret else input(prompt)
    text = sys.stdin.read()
    return text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")


def cmd_config(args: argparse.Namespace) -> int:
    """``airs config set``: exit 0 when set, 2 on a bad key, value, stack or passphrase."""
    import yaml

    try:
        project = _project(args)
        path = project.stack_file(args.stack)
        if not path.is_file():
            _err(
                f"error: no stack file {path}: create it with `airs init --stack {args.stack} "
                "--cloud …` (or `pulumi stack init`)"
            )
            return EXIT_BAD_INPUT
        key = config_edit.parse_key(args.key, project.name, path=args.path)
        if not args.secret and is_contract_secret(key):
            _err(
                f"error: {key.full} is a secret of the airs:* contract: set it with --secret "
                "(the stack config refuses it in plaintext)"
            )
            return EXIT_BAD_INPUT
        passphrase = _passphrase() if args.secret else None
        if args.secret and passphrase is None:
            _err(f"error: --secret {PASSPHRASE_NEEDED}")
            return EXIT_BAD_INPUT
        value = _read_value(args)
        if value is None:
            _err("error: give VALUE, or pipe it on standard input")
            return EXIT_BAD_INPUT
        text = path.read_text(encoding="utf-8")
        crypter = None
        if passphrase is not None:
            crypter, _ = config_edit.stack_crypter(yaml.safe_load(text) or {}, passphrase)
        new_text, added_salt = config_edit.set_value(text, key, value, crypter=crypter)
        config_edit.write_atomically(path, new_text)
    except (config_edit.ConfigSetError, StackFileError) as exc:
        _err(f"error: {exc}")
        return EXIT_BAD_INPUT
    except (OSError, yaml.YAMLError, ValueError) as exc:
        _err(f"error: {path}: {exc}")
        return EXIT_BAD_INPUT
    if not args.path and re.search(r"[.\[]", key.name):
        _err(
            f"note: without --path, {key.full} is one key of that name (as `pulumi config set` "
            "reads it); add --path to set the value inside the object"
        )
    if added_salt:
        _err(f"note: {path.name} had no encryptionsalt: made one for this passphrase")
    kind = " (secret, encrypted)" if args.secret else ""
    print(f"stack {args.stack}: set {key.full}{kind} in {path}")
    return EXIT_OK

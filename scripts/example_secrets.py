"""(Re)encrypt the throwaway secrets of the example stacks in stacks/.

The examples use Pulumi's passphrase secrets provider with a passphrase that is published in
README.md, so `pulumi preview` on a user's machine can decrypt them. Each secure value
decrypts to ``example:<stack>:<key path>`` — obviously not a real credential.

    python scripts/example_secrets.py          # fill PLACEHOLDER values, keep valid ones
    python scripts/example_secrets.py --check  # exit 1 if any value does not decrypt as expected
    python scripts/example_secrets.py tests/bad_inputs  # other folders or stack files

A new file may start without ``encryptionsalt``: one is made for it.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What `airs init` writes too: the same example plaintexts, the same walk over secure leaves.
from components.cli.stack_templates import example_plaintext, secure_paths  # noqa: E402
from components.cli.stackfile import PassphraseCrypter  # noqa: E402

EXAMPLE_PASSPHRASE = "airs-examples-not-a-secret"
SECURE_LINE = re.compile(r"^(\s*secure:\s*)(\S+)\s*$")


def process(path: Path, *, check: bool) -> list[str]:
    """Fill or check one stack file; returns problems found."""
    stack = path.name[len("Pulumi.") : -len(".yaml")]
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    salt = data.get("encryptionsalt")
    problems: list[str] = []
    if salt is None and check:
        return [f"{path.name}: no encryptionsalt"]
    crypter = PassphraseCrypter(EXAMPLE_PASSPHRASE, salt)
    leaves = list(secure_paths(data.get("config") or {}))
    lines = text.splitlines(keepends=True)
    index = 0
    for i, line in enumerate(lines):
        match = SECURE_LINE.match(line)
        if not match:
            continue
        key_path, ciphertext = leaves[index]
        index += 1
        want = example_plaintext(stack, key_path)
        try:
            ok = crypter.decrypt(ciphertext) == want
        except Exception:
            ok = False
        if ok:
            continue
        if check:
            problems.append(f"{path.name}: {key_path} does not decrypt to the example value")
        else:
            lines[i] = f"{match.group(1)}{crypter.encrypt(want)}\n"
    if not check:
        body = "".join(lines)
        if salt is None:
            body = f"encryptionsalt: {crypter.encryption_salt}\n" + body
        path.write_text(body, encoding="utf-8")
    return problems


def stack_files(paths: list[Path]) -> list[Path]:
    """The stack files named, or found in the folders named."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("Pulumi.*.yaml")) if path.is_dir() else [path]
    return files


def main() -> int:
    """Run over every stack file of stacks/ (or of the folders and files given)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true")
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[ROOT / "stacks"],
        help="folders of Pulumi.<stack>.yaml files, or stack files (default: stacks/)",
    )
    args = parser.parse_args()
    problems: list[str] = []
    for path in stack_files(args.paths):
        problems += process(path, check=args.check)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

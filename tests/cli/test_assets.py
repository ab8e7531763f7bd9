"""Assets and archives in plan values: by content, the same in a plan, a run and an export."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pulumi

from components.cli.assets import ARCHIVE_SIG, ASSET_SIG, asset_from_state, asset_json
from components.cli.diff import NotCompared, normalise, property_changes
from components.cli.plan_files import SIG_KEY


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_text_asset_is_its_texts_sha256() -> None:
    assert asset_json(pulumi.StringAsset("print(1)\n")) == {
        "__asset": "StringAsset",
        "hash": _sha(b"print(1)\n"),
    }


def test_a_file_asset_is_its_bytes_sha256(tmp_path: Path) -> None:
    path = tmp_path / "handler.py"
    path.write_bytes(b"def handler(e, c):\n    return 1\n")
    assert asset_json(pulumi.FileAsset(str(path)))["hash"] == _sha(path.read_bytes())
    # A missing file is named by its path: the plan still runs.
    gone = str(tmp_path / "gone.py")
    assert asset_json(pulumi.FileAsset(gone)) == {"__asset": "FileAsset", "path": gone}


def test_an_archive_changes_with_a_members_content_or_name() -> None:
    def archive(**members: str) -> dict[str, object]:
        return asset_json(
            pulumi.AssetArchive({k: pulumi.StringAsset(v) for k, v in members.items()})
        )

    base = archive(**{"index.py": "a"})
    assert archive(**{"index.py": "a"}) == base  # two objects, one content
    assert archive(**{"index.py": "b"})["hash"] != base["hash"]
    assert archive(**{"main.py": "a"})["hash"] != base["hash"]
    assert (
        property_changes({"code": base}, {"code": archive(**{"index.py": "b"})})[0].path == "code"
    )
    assert property_changes({"code": base}, {"code": archive(**{"index.py": "a"})}) == []


def test_a_directory_archive_changes_with_a_file(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    before = asset_json(pulumi.FileArchive(str(tmp_path)))
    (tmp_path / "a.py").write_text("x = 2\n")
    assert asset_json(pulumi.FileArchive(str(tmp_path)))["hash"] != before["hash"]


def test_the_engines_state_form_reads_as_the_programs(tmp_path: Path) -> None:
    text = "print('hello')\n"
    state_asset = {SIG_KEY: ASSET_SIG, "hash": _sha(text.encode()), "text": text}
    program = asset_json(pulumi.AssetArchive({"index.py": pulumi.StringAsset(text)}))
    state = {SIG_KEY: ARCHIVE_SIG, "assets": {"index.py": state_asset}}
    assert asset_from_state(state) == program
    assert normalise({"code": state}) == {"code": program}
    path = tmp_path / "f.bin"
    path.write_bytes(b"\x00\x01")
    file_state = {SIG_KEY: ASSET_SIG, "hash": _sha(b"\x00\x01"), "path": str(path)}
    assert asset_from_state(file_state) == asset_json(pulumi.FileAsset(str(path)))
    remote = {SIG_KEY: ASSET_SIG, "hash": "h", "uri": "https://example.com/x"}
    assert asset_from_state(remote) == asset_json(pulumi.RemoteAsset("https://example.com/x"))


def test_an_archive_by_path_in_state_is_not_compared() -> None:
    """The engine hashes a tar stream of it, which is not the program's hash: no change is
    claimed either way."""
    state = {SIG_KEY: ARCHIVE_SIG, "hash": "0" * 64, "path": "./lambda"}
    assert asset_from_state(state) is None
    recorded = normalise({"code": state})
    assert recorded == {"code": NotCompared("[archive by path]")}
    program = {"code": asset_json(pulumi.AssetArchive({"index.py": pulumi.StringAsset("x")}))}
    assert property_changes(recorded, program) == []

"""Provider behaviour: refresh/drift, credentials, TLS, serialisation in a fresh interpreter."""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import dill
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.rpc import UNKNOWN

from components.panorama.client import ConfigOp, PanoramaClient, PanoramaError
from components.panorama.credentials import credentials_from_config
from components.panorama.elements import flatten
from components.panorama.provider import PanoramaCommitProvider, PanoramaObjectProvider
from tests.panorama.engine import configure_request, object_props, running_matches
from tests.panorama.helpers import CRED, intent_for, late_for, pending

ROOT = Path(__file__).resolve().parents[2]


def test_refresh_detects_out_of_band_edit_and_up_repairs_it(emu, engine):
    intent = intent_for("gcp")
    late = late_for(intent)
    rendered = engine.up(intent, late)
    zone = next(o for o in rendered if o.kind == "zone" and o.name == "trust")
    # Another admin edits the zone and commits.
    other = PanoramaClient(emu.hostname, api_key=emu.key_for("other"), ca_bundle=str(emu.cert))

    other.write(
        ConfigOp(
            "edit",
            zone.xpath,
            '<entry name="trust"><network><layer3><member>ethernet1/2</member></layer3></network></entry>',
        )
    )
    other.commit(admin="other", description="hand edit")
    engine.log.clear()
    engine.refresh()
    urn = "airs-zone-trust"
    assert engine.objects[urn]["digest"] != engine.objects["airs-zone-untrust"]["digest"]
    engine.up(intent, late)
    assert engine.log == [f"update {urn}", "update commit"]
    assert running_matches(emu, rendered, late) == []
    assert len([c for c in emu.commits if c[0] == "automation"]) == 2


def test_refresh_drops_objects_deleted_out_of_band_and_up_recreates(emu, engine):
    intent = intent_for("aws")
    late = late_for(intent)
    rendered = engine.up(intent, late)
    rule = next(o for o in rendered if o.kind == "security-rule")
    other = PanoramaClient(emu.hostname, api_key=emu.key_for("other"), ca_bundle=str(emu.cert))

    other.write(ConfigOp("delete", rule.xpath))
    other.commit(admin="other", description="oops")
    engine.refresh()
    assert not any(o["xpath"] == rule.xpath for o in engine.objects.values())
    engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []


def test_merge_objects_tolerate_additions(emu, engine):
    intent = intent_for("aws")
    late = late_for(intent)
    rendered = engine.up(intent, late)
    before = {u: o["digest"] for u, o in engine.objects.items()}
    engine.refresh()  # registered devices etc. under merge-mode containers are not drift
    assert {u: o["digest"] for u, o in engine.objects.items()} == before
    assert running_matches(emu, rendered, late) == []


def test_credential_is_hashed_not_stored(emu, engine):
    intent = intent_for("gcp")
    engine.up(intent, late_for(intent))
    cluster = engine.objects["airs-k8s-cluster-gke-airs"]
    assert "late" not in cluster
    assert CRED not in json.dumps(cluster)
    assert set(cluster["late_sha256"]) == {"credential/gke-airs"}
    assert CRED not in json.dumps(engine.commit)
    # ...but Panorama got the real value
    node = emu.node(cluster["xpath"])
    assert CRED in "".join(node.itertext())


def test_credentials_never_pickled_or_logged(emu, settings, caplog):
    caplog.set_level(logging.DEBUG)
    p = PanoramaObjectProvider(settings)
    p.configure(configure_request(emu))
    p.client(emu.hostname)
    blob = base64.b64decode(serialize_provider(p))
    key = emu.key_for("automation")
    assert key.encode() not in blob
    restored = dill.loads(blob)
    assert restored._creds is None
    assert restored._clients == {}
    assert key not in repr(p._creds)
    assert key not in caplog.text


def test_configure_with_username_password_uses_keygen(emu, settings):
    raw = {"airs:panoramaPassword": "auto-pw", "airs:panorama": {"username": "automation"}}
    p = PanoramaCommitProvider(settings)
    p.configure(ConfigureRequest(Config(raw, "airs")))
    client = p.client(emu.hostname)
    assert client.get("/config/devices/entry[@name='localhost.localdomain']/template") is not None
    assert emu.requests[0]["type"] == "keygen"
    bad = PanoramaCommitProvider(settings)
    bad.configure(
        ConfigureRequest(
            Config(
                {"airs:panoramaPassword": "x", "airs:panorama": '{"username": "automation"}'},
                "airs",
            )
        )
    )
    with pytest.raises(PanoramaError, match="refused the credentials"):
        bad.client(emu.hostname).get("/config")


def test_missing_credentials(settings):
    p = PanoramaObjectProvider(settings)
    p.configure(ConfigureRequest(Config({}, "airs")))
    with pytest.raises(PanoramaError, match="airs:panoramaApiKey"):
        p.client("127.0.0.1:1")
    assert credentials_from_config({"airs:panorama": "not json"}.get).username is None


def test_tls_verified_by_default(emu, caplog):
    key = emu.key_for("automation")
    with pytest.raises(PanoramaError, match="TLS verification"):
        PanoramaClient(emu.hostname, api_key=key, timeout=2).get("/config")
    ok = PanoramaClient(emu.hostname, api_key=key, ca_bundle=str(emu.cert), timeout=2)
    assert ok.get("/config/shared") is not None
    caplog.set_level(logging.WARNING)
    insecure = PanoramaClient(emu.hostname, api_key=key, verify_tls=False, timeout=2)
    assert insecure.get("/config/shared") is not None
    assert "verification of Panorama is OFF" in caplog.text


def test_diff_and_check(emu, engine):
    intent = intent_for("azure")
    late = late_for(intent)
    engine.up(intent, late)
    p = engine.obj_provider
    olds = engine.objects["airs-nat-rule-inbound-web"]
    news = dict(olds, late={"public-lb-address": UNKNOWN})
    assert p.diff(olds["xpath"], olds, news).changes is True
    same = {**olds, "late": late_for(intent) and {"public-lb-address": late["public-lb-address"]}}
    assert p.diff(olds["xpath"], olds, same).changes is False
    moved = {**same, "xpath": olds["xpath"].replace("inbound-web", "inbound-web2")}
    assert p.diff(olds["xpath"], olds, moved).replaces == ["xpath"]
    bad = p.check({}, {**same, "element": "<entry", "xpath": "relative", "mode": "x"})
    assert {f.property for f in bad.failures} == {"element", "xpath", "mode"}


def test_unmanaged_object_delete_is_idempotent(emu, engine):
    intent = intent_for("aws")
    engine.up(intent, late_for(intent))
    rule = engine.objects["airs-security-rule-airs-aws-allow-ai"]
    assert emu.node(rule["xpath"], running=False) is not None
    before = len(emu.requests)
    engine.obj_provider.delete(rule["xpath"], {**rule, "managed": False})
    engine.obj_provider.delete(rule["xpath"], {**rule, "managed": False})  # already gone: no error
    # One delete request each, of that object only; it leaves the candidate, uncommitted.
    deletes = [(r["action"], r["xpath"]) for r in emu.requests[before:]]
    assert deletes == [("delete", rule["xpath"])] * 2
    assert emu.node(rule["xpath"], running=False) is None
    assert emu.node(rule["xpath"], running=True) is not None
    assert pending(emu) == [rule["xpath"]]


def test_managed_object_delete_sends_nothing(emu, engine):
    """The commit resource deletes managed objects (and commits); their own delete must not."""
    intent = intent_for("aws")
    engine.up(intent, late_for(intent))
    rule = engine.objects["airs-security-rule-airs-aws-allow-ai"]
    assert rule["managed"] is True
    before = len(emu.requests)
    engine.obj_provider.delete(rule["xpath"], rule)
    assert emu.requests[before:] == []
    assert emu.node(rule["xpath"], running=False) is not None
    assert pending(emu) == []


def test_multi_config_is_all_or_nothing(emu, engine):
    """A multi-config request whose second operation PAN-OS refuses writes nothing at all
    (strict-transactional), so the provider may say so and a revert has nothing to undo."""
    client = engine.commit_provider.client(emu.hostname)
    first = ConfigOp(
        "set",
        "/config/shared/address",
        "<entry name='a1'><ip-netmask>10.0.0.1</ip-netmask></entry>",
        "address a1",
    )
    second = ConfigOp(
        "set",
        "/config/shared/address",
        "<entry name='a2'><ip-netmask>10.0.0.2</ip-netmask></entry>",
        "address a2",
    )
    emu.faults.reject = ("10.0.0.2", "a2 is refused")
    with pytest.raises(PanoramaError, match=r"Panorama rejected address a2 .*a2 is refused"):
        client.multi_config([first, second])
    assert emu.node("/config/shared/address/entry[@name='a1']", running=False) is None
    assert pending(emu) == []


def test_flatten_gives_per_setting_properties():
    f = flatten(
        '<entry name="r"><from><member>trust</member></from><nexthop><ip-address>1.1.1.1</ip-address></nexthop></entry>'
    )
    assert f == {"from": "trust", "nexthop/ip-address": "1.1.1.1"}


def test_providers_survive_sdk_serialisation(emu, settings, tmp_path):
    """Pickle with the SDK's serializer, load in a fresh interpreter, create for real."""
    intent = intent_for("private")
    late = late_for(intent)
    from components.panorama.render import render_intent

    rendered = render_intent(intent)
    blobs = {
        "object": serialize_provider(PanoramaObjectProvider(settings)),
        "commit": serialize_provider(PanoramaCommitProvider(settings)),
    }
    props = [object_props(emu, o, late) for o in rendered]
    job = {
        "blobs": blobs,
        "props": props,
        "config": {
            "airs:panoramaApiKey": emu.key_for("automation"),
            "airs:panorama": json.dumps({"username": "automation"}),
        },
        "commit": {
            "hostname": emu.hostname,
            "template_stack": intent.template_stack,
            "device_group": intent.device_group,
            "push": True,
            "description": "subprocess",
            "late": late,
        },
    }
    (tmp_path / "job.json").write_text(json.dumps(job))
    script = textwrap.dedent(
        """
        import base64, json, sys
        import dill
        from pulumi.dynamic import ConfigureRequest
        from pulumi.dynamic.config import Config
        # What pulumi/dynamic/__main__.py get_provider() does (importing it starts a server):
        # base64 + dill.loads, then configure() with the stack config.
        job = json.load(open(sys.argv[1]))
        providers = {}
        for k, blob in job["blobs"].items():
            providers[k] = dill.loads(base64.b64decode(blob))
            providers[k].configure(ConfigureRequest(Config(job["config"], "airs")))
        entries = []
        for props in job["props"]:
            outs = providers["object"].create(props).outs
            entries.append({k: outs[k] for k in ("kind", "name", "xpath", "element", "mode", "rev")})
        res = providers["commit"].create({**job["commit"], "objects": entries})
        print(json.dumps({"id": res.id, "commit_job": res.outs["commit_job"], "n": res.outs["object_count"]}))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "job.json")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["n"] == len(rendered)
    assert result["commit_job"] is not None
    assert running_matches(emu, rendered, late) == []
    assert pending(emu) == []

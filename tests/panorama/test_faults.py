"""Every injected fault: error text, what is left in candidate/running, what a re-run does."""

from __future__ import annotations

import pytest

from components.panorama.client import JobFailed, PanoramaError
from components.panorama.provider import ProviderSettings
from tests.panorama.engine import ADMIN, Engine, running_matches
from tests.panorama.helpers import SERIAL, change_one_route, intent_for, late_for, pending


def _setup(emu, cloud="gcp"):
    intent = intent_for(cloud)
    emu.register_firewall(SERIAL, intent.template_stack, intent.device_group)
    return intent, late_for(intent)


def test_http_500_is_retried(emu, engine):
    intent, late = _setup(emu)
    emu.faults.http_500 = 2
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []
    assert sum(1 for r in emu.requests if r.get("http_500")) == 2
    assert len(emu.commits) == 1


def test_timeout_is_retried(emu, engine):
    intent, late = _setup(emu)
    emu.faults.timeouts = 1
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []
    assert sum(1 for r in emu.requests if r.get("timed_out")) == 1
    assert len(emu.commits) == 1


def test_transport_errors_exhaust_retries_then_converge(emu, engine, settings):
    intent, late = _setup(emu)
    emu.faults.http_500 = settings.retry_attempts  # every attempt of the multi-config fails
    with pytest.raises(PanoramaError) as err:
        engine.up(intent, late)
    assert "HTTP 500" in str(err.value)
    assert "nothing was committed" in str(err.value)
    assert emu.commits == []
    assert pending(emu) == []
    tpl = (
        "/config/devices/entry[@name='localhost.localdomain']/template/entry[@name='airs-gcp-tpl']"
    )
    assert emu.node(tpl, running=False) is None
    # re-run converges
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []
    assert len(emu.commits) == 1


def test_commit_failure_reverts_candidate_and_rerun_converges(emu, engine):
    intent, late = _setup(emu)
    rendered = engine.up(intent, late)
    changed = change_one_route(intent)
    emu.faults.commit_fail = "lr-airs -> static-route 'app-app-vpc' nexthop is invalid"
    with pytest.raises(PanoramaError) as err:
        engine.up(changed, late)
    msg = str(err.value)
    assert "Panorama commit job" in msg
    assert "failed" in msg
    assert "nexthop is invalid" in msg  # PAN-OS's own words
    assert "logical-router 'lr-airs'" in msg  # the object named in the error
    assert "candidate changes of automation were reverted" in msg
    assert pending(emu) == []  # candidate back to running for our changes
    assert running_matches(emu, rendered, late) == []  # running still the previous intent
    assert len(emu.commits) == 1
    emu.faults.commit_fail = None
    rendered2 = engine.up(changed, late)
    assert running_matches(emu, rendered2, late) == []
    assert len(emu.commits) == 2


def test_validation_error_is_not_retried_and_names_the_object(emu, engine):
    intent, late = _setup(emu)
    emu.faults.reject = ("airs-gcp-trust2untrust", "'ethernet1/1' is not a valid reference")
    with pytest.raises(PanoramaError) as err:
        engine.up(intent, late)
    msg = str(err.value)
    assert "Panorama rejected nat-rule 'airs-gcp-trust2untrust'" in msg
    assert "'ethernet1/1' is not a valid reference" in msg
    multi = [r for r in emu.requests if r.get("action") == "multi-config"]
    assert len(multi) == 1  # validation errors are not retried
    assert emu.commits == []
    assert pending(emu) == []
    assert (
        emu.node(
            "/config/devices/entry[@name='localhost.localdomain']/template/entry[@name='airs-gcp-tpl']",
            running=False,
        )
        is None
    )
    emu.faults.reject = None
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []
    assert len(emu.commits) == 1


def test_config_lock_held_by_another_admin(emu, engine):
    intent, late = _setup(emu)
    emu.faults.config_lock_admin = "other"
    with pytest.raises(PanoramaError, match="locked by other"):
        engine.up(intent, late)
    multi = [r for r in emu.requests if r.get("action") == "multi-config"]
    assert len(multi) == 3  # bounded retries (settings.retry_attempts)
    assert emu.commits == []
    assert pending(emu) == []
    emu.faults.config_lock_admin = None
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []


def test_commit_lock_held_reverts_our_changes(emu, engine):
    intent, late = _setup(emu)
    emu.commit_locks["other"] = "other"
    with pytest.raises(PanoramaError) as err:
        engine.up(intent, late)
    assert "Commit lock is currently held by other" in str(err.value)
    assert pending(emu) == []
    assert emu.commits == []
    emu.commit_locks.clear()
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []


def test_commit_in_progress_is_retried(emu, engine):
    intent, late = _setup(emu)
    emu.faults.commit_in_progress = 2
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []
    assert (
        len([r for r in emu.requests if r.get("type") == "commit" and r.get("action") != "all"])
        == 3
    )


def test_slow_jobs_are_polled_to_the_end(emu, engine):
    intent, late = _setup(emu)
    emu.faults.job_polls = 4
    emu.faults.device_pending_polls = 3
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []
    polls = [r for r in emu.requests if "<jobs>" in r.get("cmd", "")]
    # commit: 4 ACT + FIN; each push: 4 ACT + 3 device PEND + final
    assert len(polls) == 5 + 8 + 8


def test_job_that_never_finishes_times_out_then_converges(emu, settings):
    intent, late = _setup(emu)
    slow = ProviderSettings(**{**settings.__dict__, "poll_timeout": 0.05, "poll_interval": 0.01})
    engine = Engine(emu, slow)
    emu.faults.job_polls = 10_000
    with pytest.raises(PanoramaError, match="did not finish"):
        engine.up(intent, late)
    assert pending(emu) == []
    emu.faults.job_polls = 0
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []


def test_device_push_failure_names_device_and_rerun_pushes_again(emu, engine):
    intent, late = _setup(emu)
    emu.faults.push_fail = {SERIAL: "vsys1: zone trust: interface ethernet1/2 not found"}
    with pytest.raises(PanoramaError) as err:
        engine.up(intent, late)
    msg = str(err.value)
    assert f"fw-{SERIAL} ({SERIAL})" in msg
    assert "interface ethernet1/2 not found" in msg
    assert "push to template stack airs-gcp-stack" in msg
    assert len(emu.commits) == 1
    assert pending(emu) == []
    emu.faults.push_fail = {}
    pushes = len(emu.pushes)
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []
    assert len(emu.commits) == 1  # nothing new to commit
    assert len(emu.pushes) == pushes + 2  # but the push is retried


def test_one_failed_firewall_fails_the_push_even_when_the_job_says_ok(emu, engine):
    """Each firewall's result decides, not only the job's own."""
    intent, late = _setup(emu)
    emu.faults.push_fail = {SERIAL: "vsys1: zone trust: interface ethernet1/2 not found"}
    emu.faults.push_job_result = "OK"
    with pytest.raises(JobFailed) as err:
        engine.up(intent, late)
    push_job = max(emu.jobs)
    assert f"push to template stack airs-gcp-stack (job {push_job}) failed" in str(err.value)
    assert f"fw-{SERIAL} ({SERIAL}): vsys1: zone trust: interface ethernet1/2 not found" in str(
        err.value
    )
    assert err.value.job.result == "OK"
    assert [(d.serial, d.result) for d in err.value.job.devices] == [(SERIAL, "FAIL")]


def test_revert_failure_is_reported(emu, engine):
    intent, late = _setup(emu)
    emu.faults.commit_fail = "bad"
    emu.faults.http_500 = 0
    original = engine.commit_provider.client(emu.hostname).revert

    def broken(admin):
        raise PanoramaError("HTTP 500 from panorama")

    engine.commit_provider.client(emu.hostname).revert = broken
    with pytest.raises(PanoramaError, match="reverting the candidate ALSO failed"):
        engine.up(intent, late)
    assert pending(emu) != []  # the revert failed: our changes are still in the candidate
    assert emu.commits == []
    engine.commit_provider.client(emu.hostname).revert = original
    emu.faults.commit_fail = None
    rendered = engine.up(intent, late)
    assert running_matches(emu, rendered, late) == []
    assert pending(emu) == []
    assert ADMIN in {a for a, _ in emu.commits}


def test_no_push_before_firewalls_register(emu, engine):
    intent = intent_for("aws")
    late = late_for(intent)
    rendered = engine.up(intent, late)  # no firewall registered yet
    assert running_matches(emu, rendered, late) == []
    assert len(emu.commits) == 1
    assert emu.pushes == []
    emu.register_firewall(SERIAL, intent.template_stack, intent.device_group)
    engine.up(change_one_route(intent), late)
    assert [k for k, _ in emu.pushes] == ["template-stack", "device-group"]


def test_wrong_username_for_api_key_is_warned(emu, settings, caplog):
    import json
    import logging

    from pulumi.dynamic import ConfigureRequest
    from pulumi.dynamic.config import Config

    intent, late = _setup(emu, "aws")
    engine = Engine(emu, settings)
    raw = {
        "airs:panoramaApiKey": emu.key_for("automation"),
        "airs:panorama": json.dumps({"username": "admin"}),
    }
    for p in (engine.obj_provider, engine.commit_provider):
        p.configure(ConfigureRequest(Config(raw, "airs")))
    caplog.set_level(logging.WARNING)
    engine.up(intent, late)
    assert emu.commits == []
    assert "check that airs:panorama.username is the admin of the API key" in caplog.text

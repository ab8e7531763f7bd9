"""Pulumi dynamic providers for Panorama: one resource per object, one commit resource.

Design (why it is shaped like this):

* ``PanoramaObjectProvider`` backs one Pulumi resource per Panorama object, so ``pulumi
  preview`` lists each object with its property diff and ``pulumi refresh`` reads each one
  back (``read`` compares a canonical digest of the live node with the desired one). Its
  create/update make no API call: they only record the desired digest and a revision.
* ``PanoramaCommitProvider`` is the single writer. It receives every desired object (xpath,
  element, revision) and, on create/update, writes what changed since its last successful
  commit plus deletes of objects that left the program in one strict-transactional
  multi-config, commits (partial: our admin), waits for the job, then pushes to the
  template stack and the device group and waits for every device. Pulumi runs deletes of
  removed resources after this update, so removed objects are deleted *here*, in the same
  up; the object's own delete is a no-op. On destroy the commit resource is deleted first
  (it depends on every object): it deletes every object and commits.
* Any failure before the commit finishes reverts our admin's candidate changes and raises;
  the commit resource's state is not updated, so the next ``up`` recomputes the same change
  set and converges.

Credentials are read in ``configure()`` from stack config and are never pickled.
"""

from __future__ import annotations

import logging
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime.rpc import UNKNOWN

from components.panorama import xpaths
from components.panorama.client import (
    MULTI_CONFIG_BATCH,
    ConfigOp,
    JobFailed,
    PanoramaClient,
    PanoramaError,
    PollPolicy,
    RetryPolicy,
    TransportError,
    parse_xml,
)
from components.panorama.credentials import Credentials, credentials_from_config
from components.panorama.elements import (
    MissingRequirement,
    check_requirements,
    config_op,
    contains,
    desired_digest,
    digest,
    has_unknown,
    late_hashes,
    sha,
)

log = logging.getLogger(__name__)

OBJECT_INPUTS = ("hostname", "kind", "name", "xpath", "element", "mode", "fields", "managed")
COMMIT_SETTINGS = (
    "hostname",
    "template_stack",
    "device_group",
    "push",
    "description",
    "devices",
    "requires",
)


@dataclass(frozen=True)
class ProviderSettings:
    """Non-secret transport settings; safe to pickle into state."""

    verify_tls: bool = True
    ca_bundle: str | None = None
    timeout: float = 60.0
    retry_attempts: int = 5
    retry_base_delay: float = 1.0
    retry_max_delay: float = 15.0
    poll_interval: float = 2.0
    poll_timeout: float = 900.0


# ----------------------------------------------------------------------------- base


class _PanoramaProvider(ResourceProvider):
    """Shared settings, configure() and client cache; credentials are never pickled."""

    def __init__(self, settings: ProviderSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or ProviderSettings()
        self._creds: Credentials | None = None
        self._clients: dict[str, PanoramaClient] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        # Only settings go into the pickled provider; credentials and sockets never do.
        return {"settings": self.settings}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.settings = state["settings"]
        self._creds = None
        self._clients = {}
        # The engine calls providers from several gRPC threads; one client per host.
        self._lock = threading.Lock()

    def configure(self, req: ConfigureRequest) -> None:
        """Read credentials from stack config (secret values arrive unwrapped)."""
        self._creds = credentials_from_config(req.config.get)
        if not self.settings.verify_tls:
            log.warning("Panorama TLS verification disabled by configuration (verify_tls=False)")

    def client(self, hostname: str) -> PanoramaClient:
        """A client for ``hostname`` (one per provider process)."""
        with self._lock:
            return self._client_locked(hostname)

    def _client_locked(self, hostname: str) -> PanoramaClient:
        if hostname not in self._clients:
            creds = self._creds
            if creds is None or not (creds.api_key or (creds.username and creds.password)):
                raise PanoramaError(
                    "no Panorama credentials: set airs:panoramaApiKey, or airs:panoramaPassword "
                    "with airs:panorama.username (pulumi config set --secret)"
                )
            s = self.settings
            self._clients[hostname] = PanoramaClient(
                hostname,
                api_key=creds.api_key,
                username=creds.username,
                password=creds.password,
                verify_tls=s.verify_tls,
                ca_bundle=s.ca_bundle,
                timeout=s.timeout,
                retry=RetryPolicy(s.retry_attempts, s.retry_base_delay, s.retry_max_delay),
                poll=PollPolicy(s.poll_interval, s.poll_timeout),
            )
        return self._clients[hostname]

    @property
    def admin(self) -> str | None:
        """Admin whose changes a partial commit takes (None: full commit)."""
        return self._creds.username if self._creds else None


# ----------------------------------------------------------------------------- objects


class PanoramaObjectProvider(_PanoramaProvider):
    """One Panorama object (identified by its xpath)."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Reject malformed xpaths/elements before anything runs."""
        failures: list[CheckFailure] = []
        xpath, element = news.get("xpath"), news.get("element")
        if not isinstance(xpath, str) or not xpath.startswith("/config/"):
            failures.append(CheckFailure("xpath", f"not an absolute /config xpath: {xpath!r}"))
        if isinstance(element, str) and element != UNKNOWN:
            try:
                parse_xml(element)
            except ET.ParseError as exc:
                failures.append(CheckFailure("element", f"not well-formed XML: {exc}"))
        if news.get("mode") not in ("replace", "merge", UNKNOWN):
            failures.append(CheckFailure("mode", "must be replace or merge"))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Replace on a new xpath; update on any content, late value or live-state change."""
        replaces = ["xpath"] if olds.get("xpath") != news.get("xpath") else []
        if has_unknown({k: news.get(k) for k in (*OBJECT_INPUTS, "late")}):
            return DiffResult(changes=True, replaces=replaces)
        changed = any(olds.get(k) != news.get(k) for k in OBJECT_INPUTS)
        changed = changed or olds.get("digest") != desired_digest(news)
        return DiffResult(changes=changed or bool(replaces), replaces=replaces)

    def _outs(self, props: Mapping[str, Any], rev: str, dig: str) -> dict[str, Any]:
        outs = {k: props.get(k) for k in OBJECT_INPUTS}
        # The late-bound values (credentials) stay out of state outputs: only hashes.
        outs.update(late_sha256=late_hashes(props.get("late")), digest=dig, rev=rev)
        return outs

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Record the desired state; the commit resource writes it.

        The revision is unique per create: an object dropped by ``refresh`` (deleted out of
        band) and created again must differ from what the commit resource last wrote.
        """
        dig = desired_digest(props)
        rev = sha(f"{dig}|{uuid.uuid4()}")
        return CreateResult(str(props["xpath"]), self._outs(props, rev, dig))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """New revision (also after drift), so the commit resource rewrites the object."""
        dig = desired_digest(news)
        rev = sha(f"{olds.get('rev')}|{olds.get('digest')}|{dig}")
        return UpdateResult(self._outs(news, rev, dig))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Read the candidate node; a different digest marks drift for the next up."""
        xpath = str(props.get("xpath") or id_)
        node = self.client(str(props["hostname"])).get(xpath)
        if node is None:
            return ReadResult(None, {})
        outs = dict(props)
        if props.get("mode") == "merge":
            ok = contains(node, parse_xml(str(props["element"])))
            outs["digest"] = props.get("digest") if ok else "drift:" + digest(node)
        else:
            outs["digest"] = digest(node)
        return ReadResult(id_, outs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """No-op when the commit resource manages the object (it deleted and committed it)."""
        if props.get("managed", True):
            return
        self.client(str(props["hostname"])).write(ConfigOp("delete", str(props["xpath"])))


# ----------------------------------------------------------------------------- commit


class PanoramaCommitProvider(_PanoramaProvider):
    """Writes the changed objects, deletes removed ones, commits and pushes."""

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Changes when any object revision, the object set or a setting differs."""
        if has_unknown({k: news.get(k) for k in (*COMMIT_SETTINGS, "objects", "late")}):
            return DiffResult(changes=True)
        if any(olds.get(k) != news.get(k) for k in COMMIT_SETTINGS):
            return DiffResult(changes=True)
        ops = self._plan(olds.get("committed") or {}, olds.get("order") or [], news)
        return DiffResult(changes=bool(ops))

    @staticmethod
    def _plan(
        committed: Mapping[str, str], order: Sequence[str], props: Mapping[str, Any]
    ) -> list[ConfigOp]:
        objects: list[Mapping[str, Any]] = list(props.get("objects") or [])
        late = props.get("late") or {}
        ops = [
            config_op(o, late) for o in objects if committed.get(str(o["xpath"])) != o.get("rev")
        ]
        # What the configuration relies on but does not own (it once wrote the AI security
        # profile) is never deleted.
        wanted = {str(o["xpath"]) for o in objects} | {
            str(x) for r in props.get("requires") or [] for x in r["xpaths"]
        }
        # Removed objects go last, dependants first (reverse of the apply order).
        ops += [
            ConfigOp("delete", x, None, f"removed object {x}")
            for x in reversed(order)
            if x not in wanted
        ]
        return ops

    def _outs(
        self, props: Mapping[str, Any], commit_job: int | None, push_jobs: list[int]
    ) -> dict[str, Any]:
        objects = list(props.get("objects") or [])
        outs = {k: props.get(k) for k in COMMIT_SETTINGS}
        outs.update(
            objects=[dict(o) for o in objects],
            committed={str(o["xpath"]): o.get("rev") for o in objects},
            order=[str(o["xpath"]) for o in objects],
            object_count=len(objects),
            late_sha256=late_hashes(props.get("late")),
            commit_job=commit_job,
            push_jobs=push_jobs,
        )
        return outs

    def create(self, props: dict[str, Any]) -> CreateResult:
        """First apply: write everything, commit, push."""
        ops = self._plan({}, [], props)
        job, pushes = self._apply(props, ops, push=bool(props.get("push", True)))
        rid = f"commit:{props.get('template_stack')}:{props.get('device_group')}"
        return CreateResult(rid, self._outs(props, job, pushes))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Write what changed since the last successful commit, delete removed objects."""
        ops = self._plan(olds.get("committed") or {}, olds.get("order") or [], news)
        job, pushes = self._apply(news, ops, push=bool(news.get("push", True)))
        return UpdateResult(self._outs(news, job, pushes))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Destroy: delete every object (dependants first) and commit."""
        order = list(props.get("order") or [])
        ops = [ConfigOp("delete", x, None, f"object {x}") for x in reversed(order)]
        # The stack and device group are gone: there is nothing left to push to.
        self._apply(props, ops, push=False)

    def _apply(
        self, props: Mapping[str, Any], ops: list[ConfigOp], *, push: bool
    ) -> tuple[int | None, list[int]]:
        if not ops:
            return None, []
        client = self.client(str(props["hostname"]))
        description = str(props.get("description") or "airs-intercept")
        admin = self.admin
        if admin is None:
            log.warning("airs:panorama.username not set: committing all admins' changes")
        # How far we got decides what the error may claim about Panorama's state. Only a
        # single multi-config request is all or nothing.
        stage = "write" if len(ops) <= MULTI_CONFIG_BATCH else "commit"
        try:
            check_requirements(client, props.get("requires") or [])
            client.multi_config(ops)
            stage = "commit"
            job = client.commit(admin=admin, description=description)
            if job is None and admin and client.pending_changes():
                # Our writes left nothing for a partial commit of `admin`, yet something
                # is pending: often a username that does not own the API key.
                log.warning(
                    "Panorama had nothing to commit for admin %s while changes are pending; "
                    "check that airs:panorama.username is the admin of the API key",
                    admin,
                )
            if job is not None:
                stage = "job"
                result = client.wait_job(job)
                if not result.ok:
                    stage = "failed"
                    raise JobFailed(self._commit_failure(job, result.details, props), result)
        except MissingRequirement:
            raise  # found before any write: nothing to revert
        except PanoramaError as exc:
            if stage == "write" and isinstance(exc, TransportError):
                # No answer from PAN-OS: the request may have been applied after all.
                stage = "commit"
            note = self._revert(client, admin, stage)
            raise PanoramaError(f"{exc}; {note}", code=exc.code) from None
        pushes: list[int] = []
        if push:
            for style, name, xpath in (
                ("template stack", str(props["template_stack"]), xpaths.TEMPLATE_STACK),
                ("device group", str(props["device_group"]), xpaths.DEVICE_GROUP),
            ):
                devices = client.get(xpath.format(stack=name, dg=name) + "/devices", running=True)
                present = {d.get("name") for d in devices} if devices is not None else set()
                missing = [s for s in props.get("devices") or [] if s not in present]
                if missing:
                    # A firewall named in the config (an on-prem one) must receive it: a
                    # push that reaches nobody would leave it unconfigured behind a green up.
                    raise PanoramaError(
                        f"push to {style} {name}: firewall {', '.join(missing)} is not in it "
                        f"after the commit{' (job ' + str(job) + ')' if job else ''}, so "
                        "nothing reaches it. Add it to Panorama's managed devices "
                        "(airs:firewall.serials) and run `pulumi up` again"
                    )
                if not present:
                    # Cloud firewalls register when they bootstrap; until then there is no
                    # one to push to (a push would fail), and the first registration pulls it.
                    log.info("no firewall in %s %s yet: nothing to push", style, name)
                    continue
                pushes.append(self._push(client, style, name, description, job))
        return job, pushes

    @staticmethod
    def _commit_failure(job: int, details: Sequence[str], props: Mapping[str, Any]) -> str:
        text = " ".join(details) or "no details"
        named = [
            f"{o.get('kind')} '{o.get('name')}'"
            for o in props.get("objects") or []
            if o.get("name") and str(o.get("name")) in text
        ]
        where = f" (objects named in the error: {', '.join(named)})" if named else ""
        return f"Panorama commit job {job} failed: {text}{where}"

    @staticmethod
    def _revert(client: PanoramaClient, admin: str | None, stage: str) -> str:
        """Revert our candidate changes and say, truthfully for ``stage``, what is left.

        ``write``: the multi-config request failed; PAN-OS applies it all or nothing.
        ``commit``: the commit was refused or never acknowledged. ``job``: a commit job
        was started but its end was not seen, so it may still have committed. ``failed``:
        the job finished and failed, so nothing was committed.
        """
        committed = {
            "write": "nothing was written or committed (multi-config is all or nothing)",
            "commit": "nothing was committed",
            "job": "the commit job's outcome is unknown (it may still have committed: see "
            "Panorama's task manager); re-running converges either way",
            "failed": "nothing was committed",
        }[stage]
        try:
            client.revert(admin)
        except PanoramaError as exc:
            if stage == "write":
                return f"{committed}; reverting the candidate also failed ({exc})"
            return f"{committed}; reverting the candidate ALSO failed ({exc}): revert it by hand"
        if admin is None:
            return f"{committed} (candidate NOT reverted: no admin name to scope it)"
        return f"{committed}; the candidate changes of {admin} were reverted"

    @staticmethod
    def _push(
        client: PanoramaClient, style: Any, name: str, description: str, job: int | None
    ) -> int:
        jid = client.push(style, name, description)
        result = client.wait_job(jid, devices=True)
        if not result.ok:
            bad = [d for d in result.devices if d.result != "OK"]
            what = "; ".join(
                f"{d.name or d.serial} ({d.serial}): {' '.join(d.messages) or d.result}"
                for d in bad
            ) or " ".join(result.details)
            raise JobFailed(
                f"push to {style} {name} (job {jid}) failed: {what}. The Panorama commit "
                f"{'job ' + str(job) + ' ' if job else ''}succeeded; the next up pushes again",
                result,
            )
        return jid

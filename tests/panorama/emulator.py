"""A local PAN-OS (Panorama) XML API emulator for tests.

HTTPS on 127.0.0.1 with a self-signed certificate generated at start. Keeps a candidate and
a running configuration as XML trees and answers what pan-os-python, pan.xapi and our
client send: keygen, op (system info, jobs, pending changes, locks, revert), config
get/show/set/edit/delete/move/multi-config, commit (full or partial by admin), commit-all
(template-stack and device-group push) with job polling.

Every ``set`` and ``edit`` (inside a multi-config too) is first checked against PAN-OS's own
schema (:mod:`tests.panorama.panos_schema`, derived from Palo Alto's pan-os-codegen specs):
an element that breaks it is refused as PAN-OS refuses it (``status="error" code="12"``, one
``<line>`` per problem naming the element) and nothing changes. ``check_schema=False``
turns the check off.

Fault injection lives in :class:`Faults`; every wait in here is bounded.
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
import re
import ssl
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.panorama import panos_schema
from tests.panorama.panos_schema import split_steps

PANORAMA = "/config/devices/entry[@name='localhost.localdomain']"
STEP_RE = re.compile(r"^([^\[]+)(?:\[(@name|text\(\))\s*=\s*(['\"])(.*?)\3\])?$")


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """Self-signed certificate for 127.0.0.1/localhost; returns (cert, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "emu-cert.pem", directory / "emu-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


# ----------------------------------------------------------------------------- xpath


@dataclass(frozen=True)
class Step:
    tag: str
    kind: str | None  # "@name" | "text()" | None
    value: str | None

    def matches(self, el: ET.Element) -> bool:
        if el.tag != self.tag:
            return False
        if self.kind == "@name":
            return el.get("name") == self.value
        if self.kind == "text()":
            return (el.text or "") == self.value
        return True

    def create(self, parent: ET.Element) -> ET.Element:
        el = ET.SubElement(parent, self.tag)
        if self.kind == "@name":
            el.set("name", self.value or "")
        elif self.kind == "text()":
            el.text = self.value
        return el


def parse_xpath(xpath: str) -> list[Step]:
    steps = []
    for raw in split_steps(xpath.strip()):
        m = STEP_RE.match(raw)
        if not m:
            raise ValueError(f"unsupported xpath step {raw!r}")
        steps.append(Step(m.group(1), m.group(2), m.group(4)))
    if not steps or steps[0].tag != "config":
        raise ValueError("xpath must start with /config")
    return steps


def find(root: ET.Element, steps: list[Step]) -> list[ET.Element]:
    nodes = [root]
    for step in steps[1:]:
        nodes = [c for n in nodes for c in n if step.matches(c)]
    return nodes


def find_with_parent(root: ET.Element, steps: list[Step]) -> list[tuple[ET.Element, ET.Element]]:
    if len(steps) < 2:
        return []
    return [(p, c) for p in find(root, steps[:-1]) for c in p if steps[-1].matches(c)]


def ensure(root: ET.Element, steps: list[Step]) -> ET.Element:
    node = root
    for step in steps[1:]:
        found = next((c for c in node if step.matches(c)), None)
        node = found if found is not None else step.create(node)
    return node


def same_key(a: ET.Element, b: ET.Element) -> bool:
    if a.tag != b.tag:
        return False
    if a.get("name") is not None or b.get("name") is not None:
        return a.get("name") == b.get("name")
    if a.tag == "member":
        return (a.text or "") == (b.text or "")
    return True


def merge(target: ET.Element, src: ET.Element) -> None:
    """PAN-OS ``set`` semantics: merge ``src``'s children into ``target``."""
    if len(src) == 0 and (src.text or "").strip():
        target.text = src.text
        for c in list(target):
            target.remove(c)
        return
    for child in src:
        existing = next((c for c in target if same_key(c, child)), None)
        if existing is None:
            target.append(copy.deepcopy(child))
        else:
            merge(existing, child)


def canon(el: ET.Element | None) -> str:
    return "" if el is None else ET.tostring(el, encoding="unicode")


# ----------------------------------------------------------------------------- state


@dataclass
class Faults:
    """Fault injection switches. Counters are consumed per request / per event."""

    http_500: int = 0
    timeouts: int = 0
    timeout_delay: float = 1.3
    commit_in_progress: int = 0
    commit_fail: str | None = None
    config_lock_admin: str | None = None
    commit_lock_admin: str | None = None
    job_polls: int = 0  # ACT polls before FIN
    device_pending_polls: int = 0  # device PEND polls after the job is FIN
    push_fail: dict[str, str] = field(default_factory=dict)  # serial -> message
    # The push job's own result, whatever its devices' results: a client must read each
    # device's result, not only the job's (None: FAIL when a device failed).
    push_job_result: str | None = None
    reject: tuple[str, str] | None = None  # (substring of element or xpath, message)
    # Which requests ``http_500`` and ``timeouts`` strike (default: every request).
    strikes: Callable[[dict[str, str]], bool] | None = None


@dataclass
class Job:
    id: int
    type: str
    user: str
    result: str
    details: list[str]
    polls_left: int
    devices: list[tuple[str, str, str]] = field(default_factory=list)  # serial, result, msg
    device_polls_left: int = 0


class ApiError(Exception):
    def __init__(self, message: str, code: int = 12) -> None:
        super().__init__(message)
        self.code = code


class PanoramaEmulator:
    """The emulator state and HTTPS server. Use as a context manager or start()/stop()."""

    def __init__(self, users: dict[str, str] | None = None, check_schema: bool = True) -> None:
        self.check_schema = check_schema
        self.users = users or {"admin": "admin-pw", "automation": "auto-pw", "other": "other-pw"}
        self.keys = {f"KEY{n:0>28}": u for n, u in enumerate(sorted(self.users))}
        self.faults = Faults()
        self.lock = threading.RLock()
        self.candidate = ET.fromstring(
            "<config><devices><entry name='localhost.localdomain'><template/>"
            "<template-stack/><device-group/></entry></devices><shared/>"
            "<mgt-config><devices/></mgt-config></config>"
        )
        self.running = copy.deepcopy(self.candidate)
        self.dirty: dict[str, list[str]] = {}
        self.jobs: dict[int, Job] = {}
        self.next_job = 1
        self.requests: list[dict[str, str]] = []
        self.commits: list[tuple[str, str]] = []  # (admin, description)
        self.pushes: list[tuple[str, str]] = []  # (type, name)
        self.config_locks: dict[str, str] = {}
        self.commit_locks: dict[str, str] = {}
        self._tmp = tempfile.TemporaryDirectory(prefix="panemu-")
        self.cert, self._key = make_certificate(Path(self._tmp.name))
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def hostname(self) -> str:
        return f"127.0.0.1:{self.port}"

    def key_for(self, user: str) -> str:
        return next(k for k, u in self.keys.items() if u == user)

    def start(self) -> PanoramaEmulator:
        emu = self

        class Handler(_Handler):
            emulator = emu

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self._key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._tmp.cleanup()

    def __enter__(self) -> PanoramaEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- helpers for tests
    def manage_device(self, serial: str) -> None:
        """A firewall Panorama manages (``mgt-config/devices``), in no stack or group yet."""
        with self.lock:
            for tree in (self.candidate, self.running):
                dev = ensure(tree, parse_xpath("/config/mgt-config/devices"))
                if not any(c.get("name") == serial for c in dev):
                    ET.SubElement(dev, "entry", name=serial)

    def seed(self, xpath: str, element: str) -> None:
        """Config an administrator made by hand (committed): ``element`` at ``xpath``."""
        with self.lock:
            for tree in (self.candidate, self.running):
                node = ensure(tree, parse_xpath(xpath))
                for child in list(node):
                    node.remove(child)
                for child in ET.fromstring(element):
                    node.append(child)

    def register_firewall(self, serial: str, stack: str, dg: str) -> None:
        """What bootstrap does: the firewall joins a template stack and a device group."""
        self.manage_device(serial)
        with self.lock:
            for tree in (self.candidate, self.running):
                for path in (
                    f"{PANORAMA}/template-stack/entry[@name='{stack}']/devices",
                    f"{PANORAMA}/device-group/entry[@name='{dg}']/devices",
                ):
                    node = ensure(tree, parse_xpath(path))
                    if not any(c.get("name") == serial for c in node):
                        ET.SubElement(node, "entry", name=serial)

    def node(self, xpath: str, running: bool = True) -> ET.Element | None:
        with self.lock:
            nodes = find(self.running if running else self.candidate, parse_xpath(xpath))
            return nodes[0] if nodes else None

    def calls(self, kind: str | None = None) -> int:
        return sum(1 for r in self.requests if kind is None or r.get("type") == kind)

    # -- dispatch
    def handle(self, params: dict[str, str], header_key: str | None) -> str:
        with self.lock:
            self.requests.append(params)
            rtype = params.get("type", "")
            if rtype == "keygen":
                user, pw = params.get("user", ""), params.get("password", "")
                if self.users.get(user) != pw:
                    return _err("Invalid Credential", 403)
                return f"<response status='success'><result><key>{self.key_for(user)}</key></result></response>"
            admin = self.keys.get(params.get("key") or header_key or "")
            if admin is None:
                return _err("Invalid Credential", 403)
            try:
                if rtype == "config":
                    return self._config(params, admin)
                if rtype == "op":
                    return self._op(params.get("cmd", ""), admin)
                if rtype == "commit":
                    if params.get("action") == "all":
                        return self._commit_all(params.get("cmd", ""), admin)
                    return self._commit(params.get("cmd", ""), admin)
            except ApiError as exc:
                return _err(str(exc), exc.code)
            return _err(f"Unsupported request type {rtype!r}", 17)

    # -- config
    def _check_lock(self, admin: str) -> None:
        holder = self.faults.config_lock_admin or next(
            (a for a in self.config_locks.values() if a != admin), None
        )
        if holder and holder != admin:
            raise ApiError(f"Config is locked by {holder}. Please try again later.", 13)

    def _reject(self, text: str) -> None:
        if self.faults.reject and self.faults.reject[0] in text:
            raise ApiError(self.faults.reject[1], 12)

    def _check_schema(self, action: str, xpath: str, el: ET.Element) -> None:
        """Refuse (code 12, one line per problem) an element that breaks the PAN-OS schema."""
        if not self.check_schema:
            return
        problems = panos_schema.check(action, xpath, el)
        if problems:
            raise ApiError("\n".join(p.message for p in problems), 12)

    def _mark(self, admin: str, xpath: str) -> None:
        lst = self.dirty.setdefault(admin, [])
        if xpath not in lst:
            lst.append(xpath)

    def _write(
        self, tree: ET.Element, action: str, xpath: str, element: str | None, admin: str
    ) -> str:
        steps = parse_xpath(xpath)
        self._reject(xpath + (element or ""))
        if action == "set":
            try:
                el = ET.fromstring(f"<wrap>{element}</wrap>")
            except ET.ParseError as exc:
                raise ApiError(f"Malformed Request: {exc}", 12) from exc
            self._check_schema(action, xpath, el)
            node = ensure(tree, steps)
            merge(node, el)
            for child in el:
                pred = (
                    f"[@name='{child.get('name')}']"
                    if child.get("name") is not None
                    else (f"[text()='{child.text}']" if child.tag == "member" else "")
                )
                self._mark(admin, f"{xpath}/{child.tag}{pred}")
            return _ok()
        if action == "edit":
            try:
                el = ET.fromstring(element or "")
            except ET.ParseError as exc:
                raise ApiError(f"Malformed Request: {exc}", 12) from exc
            if not steps[-1].matches(el):
                raise ApiError(f"edit breaks config validity: {el.tag} does not match {xpath}", 12)
            self._check_schema(action, xpath, el)
            parent = ensure(tree, steps[:-1])
            old = next((c for c in parent if steps[-1].matches(c)), None)
            if old is None:
                parent.append(el)
            else:
                parent.insert(list(parent).index(old), el)
                parent.remove(old)
            self._mark(admin, xpath)
            return _ok()
        if action == "delete":
            pairs = find_with_parent(tree, steps)
            if not pairs:
                return (
                    "<response status='success' code='7'><msg>Object doesn't exist</msg></response>"
                )
            for parent, child in pairs:
                parent.remove(child)
            self._mark(admin, xpath)
            return _ok()
        raise ApiError(f"unsupported action {action}", 12)

    def _config(self, params: dict[str, str], admin: str) -> str:
        action, xpath = params.get("action", ""), params.get("xpath", "")
        if action in ("get", "show"):
            tree = self.candidate if action == "get" else self.running
            names_only = xpath.endswith("/@name")
            nodes = find(tree, parse_xpath(xpath[: -len("/@name")] if names_only else xpath))
            if not nodes:
                if action == "show":
                    raise ApiError("No such node", 7)
                return "<response status='success' code='7'><result/></response>"
            if names_only:
                body = "".join(f"<entry name='{n.get('name')}'/>" for n in nodes)
            else:
                body = "".join(canon(n) for n in nodes)
            return (
                f"<response status='success' code='19'><result total-count='{len(nodes)}' "
                f"count='{len(nodes)}'>{body}</result></response>"
            )
        self._check_lock(admin)
        if action in ("set", "edit", "delete"):
            return self._write(self.candidate, action, xpath, params.get("element"), admin)
        if action == "move":
            return self._move(xpath, params.get("where", ""), params.get("dst"), admin)
        if action == "multi-config":
            return self._multi(
                params.get("element", ""), admin, params.get("strict-transactional") == "yes"
            )
        raise ApiError(f"unsupported config action {action}", 12)

    def _move(self, xpath: str, where: str, dst: str | None, admin: str) -> str:
        pairs = find_with_parent(self.candidate, parse_xpath(xpath))
        if not pairs:
            raise ApiError("No such node", 7)
        parent, node = pairs[0]
        parent.remove(node)
        if where == "top":
            parent.insert(0, node)
        elif where == "bottom":
            parent.append(node)
        else:
            ref = next((c for c in parent if c.get("name") == dst), None)
            if ref is None:
                raise ApiError(f"move destination {dst} not found", 12)
            idx = list(parent).index(ref)
            parent.insert(idx if where == "before" else idx + 1, node)
        self._mark(admin, xpath)
        return _ok()

    def _multi(self, element: str, admin: str, strict: bool) -> str:
        try:
            req = ET.fromstring(element)
        except ET.ParseError as exc:
            raise ApiError(f"Malformed Request: {exc}", 12) from exc
        work = copy.deepcopy(self.candidate) if strict else self.candidate
        dirty_before = copy.deepcopy(self.dirty)
        parts, failed = [], False
        for op in req:
            oid = op.get("id", "")
            try:
                inner = "".join(canon(c) for c in op)
                if op.tag == "edit" and len(op) != 1:
                    raise ApiError("edit needs exactly one element", 12)
                self._write(work, op.tag, op.get("xpath", ""), inner, admin)
                parts.append(
                    f"<response status='success' code='20' id='{oid}'><msg>command succeeded</msg></response>"
                )
            except (ApiError, ValueError) as exc:
                failed = True
                parts.append(
                    f"<response status='error' code='12' id='{oid}'><msg>{_lines(str(exc))}</msg></response>"
                )
                break
        if failed:
            if strict:
                self.dirty = dirty_before
            return f"<response status='error' code='12'>{''.join(parts)}</response>"
        if strict:
            self.candidate = work
        return f"<response status='success' code='20'>{''.join(parts)}</response>"

    # -- commit
    def _admin_changes(self, admin: str | None) -> list[str]:
        admins = [admin] if admin else list(self.dirty)
        paths = [p for a in admins for p in self.dirty.get(a, [])]
        return [p for p in paths if self._differs(p)]

    def _differs(self, xpath: str) -> bool:
        steps = parse_xpath(xpath)
        return [canon(n) for n in find(self.candidate, steps)] != [
            canon(n) for n in find(self.running, steps)
        ]

    def _sync(self, xpath: str) -> None:
        steps = parse_xpath(xpath)
        for parent, child in find_with_parent(self.running, steps):
            parent.remove(child)
        cand = find(self.candidate, steps)
        if cand:
            parent = ensure(self.running, steps[:-1])
            cand_parent = find(self.candidate, steps[:-1])[0]
            for node in cand:
                # Keep the candidate's sibling order.
                idx = list(cand_parent).index(node)
                parent.insert(min(idx, len(parent)), copy.deepcopy(node))

    def _new_job(self, jtype: str, user: str, result: str, details: list[str]) -> Job:
        job = Job(self.next_job, jtype, user, result, details, self.faults.job_polls)
        self.jobs[job.id] = job
        self.next_job += 1
        return job

    def _commit(self, cmd: str, admin: str) -> str:
        if self.faults.commit_in_progress > 0:
            self.faults.commit_in_progress -= 1
            raise ApiError("Another commit/validate is in progress. Please try again later", 13)
        holder = self.faults.commit_lock_admin or next(
            (a for a in self.commit_locks.values() if a != admin), None
        )
        if holder and holder != admin:
            raise ApiError(f"Commit lock is currently held by {holder}", 13)
        root = ET.fromstring(cmd) if cmd else ET.Element("commit")
        partial = [m.text or "" for m in root.findall("./partial/admin/member")]
        who = partial[0] if partial else None
        paths = self._admin_changes(who)
        if not paths:
            if who:
                self.dirty.pop(who, None)
            return "<response status='success' code='19'><msg>There are no changes to commit.</msg></response>"
        if self.faults.commit_fail:
            job = self._new_job(
                "Commit",
                admin,
                "FAIL",
                ["Validation Error:", self.faults.commit_fail, "Commit failed"],
            )
        else:
            for p in paths:
                self._sync(p)
            for a in [who] if who else list(self.dirty):
                self.dirty.pop(a, None)
            self.commits.append((admin, root.findtext("description") or ""))
            job = self._new_job("Commit", admin, "OK", ["Configuration committed successfully"])
        return (
            "<response status='success' code='19'><result><msg><line>Commit job enqueued with "
            f"jobid {job.id}</line></msg><job>{job.id}</job></result></response>"
        )

    def _commit_all(self, cmd: str, admin: str) -> str:
        root = ET.fromstring(cmd)
        if (stack := root.find("template-stack")) is not None:
            name = stack.findtext("name") or ""
            base = f"{PANORAMA}/template-stack/entry[@name='{name}']"
            kind = "template-stack"
        elif (sp := root.find("shared-policy/device-group/entry")) is not None:
            name = sp.get("name") or ""
            base = f"{PANORAMA}/device-group/entry[@name='{name}']"
            kind = "device-group"
        else:
            raise ApiError("unsupported commit-all", 12)
        target = find(self.running, parse_xpath(base))
        if not target:
            raise ApiError(f"{kind} {name} does not exist in the running configuration", 12)
        serials = [e.get("name") or "" for e in target[0].findall("devices/entry")]
        devices = [
            (s, "FAIL", self.faults.push_fail[s]) if s in self.faults.push_fail else (s, "OK", "")
            for s in serials
        ]
        result = "FAIL" if any(r == "FAIL" for _, r, _ in devices) else "OK"
        result = self.faults.push_job_result or result
        job = self._new_job("CommitAll", admin, result, [f"push {kind} {name}"])
        job.devices = devices
        job.device_polls_left = self.faults.device_pending_polls
        self.pushes.append((kind, name))
        return (
            "<response status='success' code='19'><result><msg><line>Job enqueued with "
            f"jobid {job.id}</line></msg><job>{job.id}</job></result></response>"
        )

    # -- op
    def _op(self, cmd: str, admin: str) -> str:
        try:
            root = ET.fromstring(cmd)
        except ET.ParseError as exc:
            raise ApiError(f"Malformed Request: {exc}", 12) from exc
        path = _op_path(root)
        if path[:3] == ["show", "system", "info"]:
            return (
                "<response status='success'><result><system><hostname>panorama-emu</hostname>"
                "<ip-address>127.0.0.1</ip-address><sw-version>11.1.2</sw-version>"
                "<model>Panorama</model><serial>EMU0000001</serial><multi-vsys>off</multi-vsys>"
                "<system-mode>panorama</system-mode></system></result></response>"
            )
        if path[:2] == ["show", "jobs"]:
            jid = int(root.findtext("jobs/id") or "0")
            return self._job(jid)
        if path[:2] == ["check", "pending-changes"]:
            return f"<response status='success'><result>{'yes' if self._admin_changes(None) else 'no'}</result></response>"
        if path[:2] == ["show", "config-locks"] or path[:2] == ["show", "commit-locks"]:
            locks = self.config_locks if path[1] == "config-locks" else self.commit_locks
            body = "".join(f"<entry name='{a}'><name>{a}</name></entry>" for a in locks.values())
            return f"<response status='success'><result><{path[1]}>{body}</{path[1]}></result></response>"
        if path[:2] in (["request", "config-lock"], ["request", "commit-lock"]):
            locks = self.config_locks if path[1] == "config-lock" else self.commit_locks
            if path[2] == "add":
                if any(a != admin for a in locks.values()):
                    raise ApiError("lock already held by another administrator", 13)
                locks[admin] = admin
            else:
                locks.pop(admin, None)
            return _ok()
        if path[:2] == ["revert", "config"]:
            members = [m.text or "" for m in root.findall(".//partial/admin/member")]
            for a in members or list(self.dirty):
                for p in self.dirty.pop(a, []):
                    self._revert(p)
            return "<response status='success'><result>Candidate configuration reverted</result></response>"
        raise ApiError(f"unsupported op command {cmd}", 17)

    def _revert(self, xpath: str) -> None:
        steps = parse_xpath(xpath)
        for parent, child in find_with_parent(self.candidate, steps):
            parent.remove(child)
        run = find(self.running, steps)
        if run:
            parent = ensure(self.candidate, steps[:-1])
            for node in run:
                parent.append(copy.deepcopy(node))

    def _job(self, jid: int) -> str:
        job = self.jobs.get(jid)
        if job is None:
            raise ApiError(f"job {jid} not found", 12)
        if job.polls_left > 0:
            job.polls_left -= 1
            status, result, progress = "ACT", "PEND", "50"
        else:
            status, result, progress = "FIN", job.result, "100"
        devices = ""
        if job.devices:
            pend = status != "FIN" or job.device_polls_left > 0
            if status == "FIN" and job.device_polls_left > 0:
                job.device_polls_left -= 1
            entries = []
            for serial, res, msg in job.devices:
                r = "PEND" if pend else res
                errors = (
                    f"<errors><line>{_esc(msg)}</line></errors>"
                    if msg and not pend
                    else "<errors/>"
                )
                entries.append(
                    f"<entry><serial-no>{serial}</serial-no><devicename>fw-{serial}</devicename>"
                    f"<result>{r}</result><status>{'PEND' if pend else 'FIN'}</status><tstart>2026/01/01 00:00:01</tstart><tfin>2026/01/01 00:00:02</tfin>"
                    f"<details><msg>{errors}<warnings/></msg></details></entry>"
                )
            devices = f"<devices>{''.join(entries)}</devices>"
        lines = "".join(f"<line>{_esc(x)}</line>" for x in job.details)
        return (
            "<response status='success'><result><job><tenq>2026/01/01 00:00:00</tenq>"
            f"<id>{job.id}</id><user>{job.user}</user><type>{job.type}</type>"
            f"<status>{status}</status><result>{result}</result><progress>{progress}</progress>"
            f"<tfin>2026/01/01 00:00:01</tfin><details>{lines}</details><warnings/>{devices}</job>"
            "</result></response>"
        )


def _op_path(root: ET.Element) -> list[str]:
    path, node = [root.tag], root
    while len(node):
        node = node[0]
        path.append(node.tag)
    return path + [""] * 3


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _ok() -> str:
    return "<response status='success' code='20'><msg>command succeeded</msg></response>"


def _lines(message: str) -> str:
    """``<line>`` per line of ``message`` (PAN-OS lists each problem on its own line)."""
    return "".join(f"<line>{_esc(line)}</line>" for line in message.split("\n"))


def _err(message: str, code: int) -> str:
    return f"<response status='error' code='{code}'><msg>{_lines(message)}</msg></response>"


class _Handler(BaseHTTPRequestHandler):
    emulator: PanoramaEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # silence
        return

    def _params(self) -> dict[str, str]:
        query = parse_qs(urlparse(self.path).query, keep_blank_values=True)
        if self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            query.update(parse_qs(body, keep_blank_values=True))
        return {k: v[-1] for k, v in query.items()}

    def _serve(self) -> None:
        params = self._params()
        emu = self.emulator
        faults = emu.faults
        with emu.lock:
            struck = faults.strikes is None or faults.strikes(params)
            fail_500 = struck and faults.http_500 > 0
            if fail_500:
                faults.http_500 -= 1
            delay = faults.timeout_delay if struck and faults.timeouts > 0 else 0.0
            if delay:
                faults.timeouts -= 1
        if delay:
            with emu.lock:
                emu.requests.append({**params, "timed_out": "yes"})
            time.sleep(delay)  # longer than the client's timeout: the client gives up
            self._reply(504, "<response status='error'/>")
            return
        if fail_500:
            with emu.lock:
                emu.requests.append({**params, "http_500": "yes"})
            self._reply(500, "<html>Internal Server Error</html>", "text/html")
            return
        body = emu.handle(params, self.headers.get("X-PAN-KEY"))
        self._reply(200, body)

    def _reply(self, code: int, body: str, ctype: str = "application/xml; charset=UTF-8") -> None:
        data = body.encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    do_GET = _serve
    do_POST = _serve


def seed_ai_profile(emu: PanoramaEmulator, name: str = "airs-ai-security") -> None:
    """What the administrator does once in Panorama: an AI security profile with protections,
    in Shared (the program references it, never writes it; it outlives a deployment)."""
    emu.seed(
        f"/config/shared/profiles/ai-security/entry[@name='{name}']",
        f'<entry name="{name}"><model-group><entry name="default" /></model-group></entry>',
    )

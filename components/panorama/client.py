"""A small PAN-OS XML API client: config reads/writes, multi-config, commit, push, jobs.

Transport errors (connection problems, timeouts, HTTP 5xx) and "try again later" answers
(commit in progress, a lock held by another admin) are retried with bounded exponential
backoff; every other PAN-OS error (validation, bad reference) is raised at once. The API
key travels in the ``X-PAN-KEY`` header and never appears in logs or exceptions.
"""

from __future__ import annotations

import logging
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from panos.panorama import PanoramaCommit, PanoramaCommitAll

log = logging.getLogger(__name__)

_RETRYABLE = re.compile(
    r"in progress|try again later|is locked|lock is currently held|lock.*held|"
    r"currently locked|server busy|too many",
    re.IGNORECASE,
)


# Operations per multi-config request; each request is all or nothing, not the sequence.
MULTI_CONFIG_BATCH = 200


class PanoramaError(Exception):
    """A failed Panorama operation; the message quotes PAN-OS."""

    def __init__(self, message: str, *, code: str | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


class TransportError(PanoramaError):
    """Panorama could not be reached or answered with an HTTP error."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class JobFailed(PanoramaError):
    """A commit or push job finished with FAIL (or a device did)."""

    def __init__(self, message: str, job: JobResult) -> None:
        super().__init__(message)
        self.job = job


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff; ``sleep`` is injectable for tests."""

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 15.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int) -> float:
        """Wait before retry number ``attempt`` (1-based)."""
        return float(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


@dataclass(frozen=True)
class PollPolicy:
    """How often and how long to poll a job."""

    interval: float = 2.0
    timeout: float = 900.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
class DeviceResult:
    """One firewall's result in a push job."""

    serial: str
    name: str
    result: str
    messages: tuple[str, ...]


@dataclass(frozen=True)
class JobResult:
    """A finished job."""

    id: int
    type: str
    result: str
    details: tuple[str, ...]
    devices: tuple[DeviceResult, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the job and every device succeeded."""
        return self.result == "OK" and all(d.result == "OK" for d in self.devices)


@dataclass(frozen=True)
class ConfigOp:
    """One operation of a multi-config request."""

    action: Literal["set", "edit", "delete"]
    xpath: str
    element: str | None = None
    label: str = ""


@dataclass
class CallStats:
    """Counters for the benchmark: API calls by type, commits, pushes."""

    calls: int = 0
    commits: int = 0
    pushes: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


def parse_xml(text: str | bytes) -> ET.Element:
    """Parse XML from our renderer or from Panorama (the one XML parse entry point).

    ElementTree never resolves external entities and the bundled expat (>= 2.4.1) caps
    entity expansion, which is what defusedxml would add.
    """
    return ET.fromstring(text)  # noqa: S314


def ssl_context(verify: bool, ca_bundle: str | None) -> ssl.SSLContext:
    """Verifying context (system store or ``ca_bundle``) or, explicitly, a non-verifying one."""
    if verify:
        return ssl.create_default_context(cafile=ca_bundle)
    log.warning("TLS certificate verification of Panorama is OFF (verify_tls=False)")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class PanoramaClient:
    """XML API client for one Panorama."""

    def __init__(
        self,
        hostname: str,
        *,
        api_key: str | None = None,
        username: str | None = None,
        password: str | None = None,
        verify_tls: bool = True,
        ca_bundle: str | None = None,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
    ) -> None:
        host = hostname.removeprefix("https://").rstrip("/")
        self.url = f"https://{host}/api/"
        self.hostname = host
        self._api_key = api_key
        self._username = username
        self._password = password
        self._ctx = ssl_context(verify_tls, ca_bundle)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.poll = poll or PollPolicy()
        self.stats = CallStats()

    def __repr__(self) -> str:
        return f"PanoramaClient({self.hostname!r})"

    # ------------------------------------------------------------------ transport
    def _send(self, params: dict[str, str]) -> ET.Element:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if params.get("type") != "keygen":
            headers["X-PAN-KEY"] = self._key()
        data = urllib.parse.urlencode(params).encode()
        # self.url is always https://<host>/api/ (built in __init__), never a user scheme.
        req = urllib.request.Request(self.url, data=data, headers=headers, method="POST")  # noqa: S310
        self.stats.calls += 1
        kind = params.get("type", "") + ("/" + params["action"] if "action" in params else "")
        self.stats.by_type[kind] = self.stats.by_type.get(kind, 0) + 1
        try:
            with urllib.request.urlopen(req, timeout=self.timeout, context=self._ctx) as resp:  # noqa: S310
                body = resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise TransportError(f"HTTP {exc.code} from {self.hostname}") from None
            raise PanoramaError(
                f"HTTP {exc.code} from {self.hostname}", code=str(exc.code)
            ) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, ssl.SSLError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, ssl.SSLCertVerificationError):
                raise PanoramaError(
                    f"TLS verification of {self.hostname} failed: {reason}"
                ) from None
            raise TransportError(f"cannot reach {self.hostname}: {reason}") from None
        try:
            root = parse_xml(body)
        except ET.ParseError:
            raise TransportError(f"unparsable answer from {self.hostname}") from None
        if root.get("status") != "success":
            msg = response_message(root) or "unknown error"
            code = root.get("code")
            if code == "403":
                raise PanoramaError(f"Panorama refused the credentials: {msg}", code=code)
            raise PanoramaError(msg, code=code, retryable=bool(_RETRYABLE.search(msg)))
        return root

    def request(self, params: dict[str, str]) -> ET.Element:
        """Send with retries on transport errors and "try again later" answers."""
        attempt = 1
        while True:
            try:
                return self._send(params)
            except PanoramaError as exc:
                if not exc.retryable or attempt >= self.retry.attempts:
                    raise
                delay = self.retry.delay(attempt)
                log.info(
                    "Panorama busy or unreachable (%s); retry %d in %.2fs", exc, attempt, delay
                )
                self.retry.sleep(delay)
                attempt += 1

    def _key(self) -> str:
        if self._api_key is None:
            if not (self._username and self._password):
                raise PanoramaError("no Panorama credentials configured")
            root = self.request(
                {"type": "keygen", "user": self._username, "password": self._password}
            )
            key = root.findtext("./result/key")
            if not key:
                raise PanoramaError("keygen returned no key")
            self._api_key = key
        return self._api_key

    # ------------------------------------------------------------------ config
    def get(self, xpath: str, *, running: bool = False) -> ET.Element | None:
        """The node at ``xpath`` in the candidate (or running) config, or None."""
        try:
            root = self.request(
                {"type": "config", "action": "show" if running else "get", "xpath": xpath}
            )
        except PanoramaError as exc:
            if running and "No such node" in str(exc):
                return None
            raise
        result = root.find("result")
        if result is None or len(result) == 0:
            return None
        return result[0]

    def write(self, op: ConfigOp) -> None:
        """One set/edit/delete."""
        params = {"type": "config", "action": op.action, "xpath": op.xpath}
        if op.element is not None:
            params["element"] = op.element
        self.request(params)

    def multi_config(self, ops: Sequence[ConfigOp], batch: int = MULTI_CONFIG_BATCH) -> None:
        """Apply ``ops`` with strict-transactional multi-config requests, in order.

        Raises :class:`PanoramaError` naming the operation's label and quoting PAN-OS.
        """
        for start in range(0, len(ops), batch):
            chunk = ops[start : start + batch]
            req = ET.Element("multi-configure-request")
            for n, op in enumerate(chunk):
                el = ET.SubElement(req, op.action, id=str(n), xpath=op.xpath)
                if op.element is not None:
                    el.append(parse_xml(op.element))
            element = ET.tostring(req, encoding="unicode")
            try:
                self.request(
                    {
                        "type": "config",
                        "action": "multi-config",
                        "element": element,
                        "strict-transactional": "yes",
                    }
                )
            except PanoramaError as exc:
                raise self._name_failure(exc, chunk) from None

    def _name_failure(self, exc: PanoramaError, chunk: Sequence[ConfigOp]) -> PanoramaError:
        failed = getattr(exc, "failed_id", None)
        text = str(exc)
        m = re.match(r"^\[(\d+)\] (.*)$", text, re.DOTALL)
        if m:
            failed, text = int(m.group(1)), m.group(2)
        if isinstance(failed, int) and 0 <= failed < len(chunk):
            op = chunk[failed]
            return PanoramaError(
                f"Panorama rejected {op.label or op.xpath} ({op.action} {op.xpath}): {text}",
                code=exc.code,
                retryable=exc.retryable,
            )
        return exc

    # ------------------------------------------------------------------ op
    def op(self, cmd: str) -> ET.Element:
        """An operational command (XML form)."""
        return self.request({"type": "op", "cmd": cmd})

    def pending_changes(self) -> bool:
        """Whether the candidate differs from running (any admin)."""
        return (self.op("<check><pending-changes/></check>").findtext("result") or "") == "yes"

    def revert(self, admin: str | None) -> None:
        """Revert the candidate to running for ``admin``'s changes."""
        if not admin:
            log.warning("no admin name known: not reverting (it would drop other admins' work)")
            return
        self.op(
            "<revert><config><partial><admin><member>"
            f"{_xml_escape(admin)}</member></admin></partial></config></revert>"
        )

    # ------------------------------------------------------------------ commit / push
    def commit(self, *, admin: str | None, description: str) -> int | None:
        """Commit to Panorama (partial: ``admin``'s changes). Job id, or None if no change."""
        cmd = PanoramaCommit(description=description, admins=[admin] if admin else None)
        root = self.request({"type": "commit", "cmd": _element_str(cmd)})
        self.stats.commits += 1
        job = root.findtext("./result/job")
        return int(job) if job else None

    def push(
        self, style: Literal["template stack", "device group"], name: str, description: str
    ) -> int:
        """Commit-all (push) to a template stack or a device group's firewalls."""
        kwargs: dict[str, object] = {"description": description}
        if style == "device group":
            kwargs["include_template"] = False
        cmd = PanoramaCommitAll(style, name, **kwargs)
        root = self.request({"type": "commit", "action": "all", "cmd": _element_str(cmd)})
        self.stats.pushes += 1
        job = root.findtext("./result/job")
        if not job:
            raise PanoramaError(f"push to {style} {name}: {response_message(root)}")
        return int(job)

    def wait_job(self, job_id: int, *, devices: bool = False) -> JobResult:
        """Poll ``show jobs id`` until FIN (and, for pushes, no device PEND)."""
        deadline = self.poll.clock() + self.poll.timeout
        while True:
            root = self.op(f"<show><jobs><id>{job_id}</id></jobs></show>")
            job = root.find("./result/job")
            if job is None:
                raise PanoramaError(f"job {job_id}: no job in the answer")
            status = job.findtext("status") or ""
            devs = tuple(
                DeviceResult(
                    serial=d.findtext("serial-no") or "",
                    name=d.findtext("devicename") or "",
                    result=d.findtext("result") or "",
                    messages=tuple(
                        (x.text or "").strip() for x in d.iter("line") if (x.text or "").strip()
                    ),
                )
                for d in job.findall("./devices/entry")
            )
            pending = devices and any(d.result == "PEND" for d in devs)
            if status == "FIN" and not pending:
                return JobResult(
                    id=job_id,
                    type=job.findtext("type") or "",
                    result=job.findtext("result") or "",
                    details=tuple(
                        (x.text or "").strip()
                        for x in job.findall("./details/line")
                        if (x.text or "").strip()
                    ),
                    devices=devs,
                )
            if self.poll.clock() >= deadline:
                raise PanoramaError(f"job {job_id} did not finish within {self.poll.timeout:.0f}s")
            self.poll.sleep(self.poll.interval)


def response_message(root: ET.Element) -> str:
    """The human message of a PAN-OS answer (nested multi-config failures included)."""
    for sub in root.findall("response"):
        if sub.get("status") == "error":
            inner = response_message(sub)
            return f"[{sub.get('id')}] {inner}"
    lines = [
        (x.text or "").strip()
        for x in root.findall("./msg/line") + root.findall("./result/msg/line")
        if (x.text or "").strip()
    ]
    if not lines:
        for path in ("./msg", "./result/msg", "./result"):
            text = (root.findtext(path) or "").strip()
            if text:
                lines.append(text)
                break
    return " ".join(lines)


def _element_str(obj: object) -> str:
    raw = obj.element_str()  # type: ignore[attr-defined]
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

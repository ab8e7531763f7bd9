"""The floor of the stack configuration: problems, how values show, field types, ``Model``.

Nothing here knows a cloud. Every config model (common ones in :mod:`.models`, each target's
in ``components/clouds/<target>/config.py``) derives from :class:`Model` and uses these types,
so a refused value reads the same everywhere: ``airs:<key path>: <value> — <rule>``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, SecretStr
from pydantic.alias_generators import to_camel

from components import network

NAMESPACE = "airs"


@dataclass(frozen=True)
class ConfigProblem:
    """One broken rule: the key path below ``airs:``, the offending value and the rule."""

    key: str
    """Key path below ``airs:`` (``clusters.apps.clusterId``)."""
    value: str
    """The offending value as shown to the user (secrets never in plaintext)."""
    rule: str
    """The rule the value breaks."""

    def __post_init__(self) -> None:
        # Every value an error shows passes here, however it was rendered: one cap for all.
        object.__setattr__(self, "value", clip(self.value))

    def __str__(self) -> str:
        return f"{NAMESPACE}:{self.key}: {self.value} — {self.rule}"


class ConfigError(Exception):
    """Raised with every problem found in a stack's configuration."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


MISSING = "<missing>"
SECRET_SHOWN = "[secret]"
HIDDEN = "[not shown]"
"""What an error shows for a value it must not echo (an unknown key's): it may be anything."""
MAX_SHOWN = 200
"""The most characters of a value an error line shows: an Azure subnet id (the longest value
the contract takes, often 150–200 characters) whole, not a runaway value."""
ELLIPSIS = "…"
# Words of key names that hold (or look like they hold) secrets: their values never show.
SECRET_WORDS = re.compile(
    r"passw|passphrase|pwd|token|secret|credential|kubeconfig|authcode|key",
    re.IGNORECASE,
)


def clip(text: str) -> str:
    """``text`` cut to :data:`MAX_SHOWN` characters, keeping its start and its end."""
    if len(text) <= MAX_SHOWN:
        return text
    # The end of a long value is often what tells it apart (an Azure id's resource name).
    head = (MAX_SHOWN - len(ELLIPSIS)) // 2
    tail = MAX_SHOWN - len(ELLIPSIS) - head
    return text[:head] + ELLIPSIS + text[-tail:]


def looks_secret(key: str) -> bool:
    """Whether a key name (one segment, ``panoramaApiKey``, ``token``) names a secret."""
    return bool(SECRET_WORDS.search(key))


def show(value: Any) -> str:
    """Render a config value for an error line; secrets never print, long values are cut.

    Rendering stops soon after :data:`MAX_SHOWN` characters, so a huge value costs no more
    to show than a short one.
    """
    if value is None:
        return MISSING
    if isinstance(value, SecretStr):
        return SECRET_SHOWN
    if isinstance(value, str):
        return clip(value) if value else '""'
    encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)
    parts: list[str] = []
    size = 0
    try:
        for chunk in encoder.iterencode(value):
            parts.append(chunk)
            size += len(chunk)
            if size > 4 * MAX_SHOWN:
                # Keep the start only: the end of a huge value is not worth rendering.
                return "".join(parts)[: MAX_SHOWN - len(ELLIPSIS)] + ELLIPSIS
    except (TypeError, ValueError):
        return clip(repr(value))
    return clip("".join(parts))


class Problems(list[ConfigProblem]):
    """The problems found so far; checks append to it with :meth:`add`."""

    def add(self, key: str, value: Any, rule: str) -> None:
        """Record that ``value`` at ``airs:<key>`` breaks ``rule`` (the value shown safely)."""
        self.append(ConfigProblem(key, show(value), rule))


# --------------------------------------------------------------------------- field types


def rule(check: Callable[[Any], bool], text: str) -> AfterValidator:
    """A field validator that refuses values failing ``check`` with ``text`` as the rule."""

    def validate(value: Any) -> Any:
        if not check(value):
            raise ValueError(text)
        return value

    return AfterValidator(validate)


def _cidr(value: str) -> str:
    try:
        return str(network.parse_cidr(value))
    except ValueError as exc:
        raise ValueError(f"must be an IPv4 CIDR with no host bits set ({exc})") from None


def _ipv4(value: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise ValueError("must be an IPv4 address") from None


def ranged(lo: int, hi: int) -> AfterValidator:
    """A field validator for integers from ``lo`` to ``hi``, both included."""
    return rule(lambda v: lo <= v <= hi, f"must be between {lo} and {hi}")


def zone_str(value: Any) -> Any:
    """A zone given as an integer, as a string (a ``BeforeValidator``)."""
    # YAML reads Azure zones `[1, 2, 3]` as integers; the API wants strings.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


ClusterType = Literal["GKE", "AKS", "EKS", "OpenShift", "Rancher", "Native"]
ProtectMode = Literal["vpc", "namespace"]
Cidr = Annotated[str, AfterValidator(_cidr)]
IPv4 = Annotated[str, AfterValidator(_ipv4)]
Port = Annotated[int, ranged(1, 65535)]
Replicas = Annotated[int, ranged(1, 100)]
# Panorama's Kubernetes plugin polls clusters every 30 s unless told otherwise.
DEFAULT_MONITORING_INTERVAL = 30
DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
Namespace = Annotated[
    str, rule(lambda v: bool(DNS_LABEL.match(v)), "must be a Kubernetes namespace name")
]
PANOS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$")
PanosName = Annotated[
    str,
    rule(
        lambda v: bool(PANOS_NAME.match(v)),
        "must be 1–31 characters: letters, digits, '.', '_' or '-', "
        "starting with a letter or digit",
    ),
]
# Keys of airs:applications and airs:clusters: they become parts of cloud resource names.
MAP_KEY = re.compile(r"^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")
Hostname = Annotated[
    str, rule(lambda v: bool(HOSTNAME.match(v)), "must be a hostname or IPv4 address")
]


class Model(BaseModel):
    """Base of every config model: camelCase keys only, unknown keys refused, frozen."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        extra="forbid",
        frozen=True,
        hide_input_in_errors=True,
    )


class TargetModel(Model):
    """A target's own section: ``airs:securityProject`` (public clouds) or ``airs:firewall``.

    Common code asks it for what every target knows, never which target it is.
    """

    def trust_subnet(self) -> str:
        """The CIDR of the firewalls' trust side (Helm ``fwtrustcidr``, Panorama routes)."""
        raise NotImplementedError

    def trust_gateway(self) -> str:
        """The trust side's next hop: the trust subnet's first usable address unless given."""
        return network.gateway_ip(self.trust_subnet())

    def ilb_address(self) -> str | None:
        """The internal load balancer's address, where there is one."""
        return None

    def security_ranges(self) -> list[tuple[str, str]]:
        """(key path, CIDR) of the security-side ranges nothing else may overlap."""
        raise NotImplementedError

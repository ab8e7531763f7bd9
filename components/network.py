"""CIDR maths and the well-known address ranges every cloud profile relies on.

These ranges live here once: firewall rules, Panorama routes, security rules and the
policy pack all import them from this module.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Final

IPv4Net = ipaddress.IPv4Network
IPv4Addr = ipaddress.IPv4Address

# GCP internal passthrough load balancer health checks come from these ranges; the trust
# firewall rule and the Panorama trust routes must admit them or every backend is unhealthy.
GCP_INTERNAL_HEALTH_CHECK_RANGES: Final[tuple[str, ...]] = ("35.191.0.0/16", "130.211.0.0/22")
# External passthrough NLB (and legacy) health checks reach the untrust interface from these.
GCP_EXTERNAL_HEALTH_CHECK_RANGES: Final[tuple[str, ...]] = (
    "35.191.0.0/16",
    "209.85.152.0/22",
    "209.85.204.0/22",
)
# Azure load balancer probes always come from this virtual IP (service tag AzureLoadBalancer).
AZURE_PROBE_IP: Final[str] = "168.63.129.16"
AZURE_PROBE_CIDR: Final[str] = "168.63.129.16/32"
AZURE_LOAD_BALANCER_TAG: Final[str] = "AzureLoadBalancer"
# The firewall answers load balancer health checks on its web management port by default.
DEFAULT_HEALTH_CHECK_PORT: Final[int] = 443
# Port → interface management profile service that answers a TCP health check on it.
HEALTH_CHECK_SERVICES: Final[dict[int, str]] = {443: "https", 80: "http", 22: "ssh"}
# pan-cni steers pod traffic to the firewall service over UDP 6080; AWS GWLB uses GENEVE.
PAN_CNI_UDP_PORT: Final[int] = 6080
GENEVE_UDP_PORT: Final[int] = 6081
ANY_IPV4: Final[str] = "0.0.0.0/0"


def parse_cidr(value: str) -> IPv4Net:
    """Parse an IPv4 CIDR strictly (host bits must be zero)."""
    return ipaddress.IPv4Network(value, strict=True)


def overlaps(a: str, b: str) -> bool:
    """Whether two IPv4 CIDRs share any address."""
    return parse_cidr(a).overlaps(parse_cidr(b))


def contains(cidr: str, address: str) -> bool:
    """Whether ``address`` lies inside ``cidr``."""
    return ipaddress.IPv4Address(address) in parse_cidr(cidr)


def subnet_within(inner: str, outer: str) -> bool:
    """Whether CIDR ``inner`` lies wholly inside CIDR ``outer``."""
    return parse_cidr(inner).subnet_of(parse_cidr(outer))


def gateway_ip(cidr: str) -> str:
    """First usable address of a subnet: the cloud router on GCP, Azure and AWS."""
    net = parse_cidr(cidr)
    return str(net.network_address + 1)


def default_ilb_ip(cidr: str) -> str:
    """Default internal load balancer address: the last address every cloud leaves usable.

    GCP reserves the last two addresses of a subnet and Azure the last one, so the third
    from the end (x.x.x.253 in a /24, the value the vendor bundle uses) is free on both.
    """
    net = parse_cidr(cidr)
    return str(net.broadcast_address - 2)


def split(cidr: str, new_prefix: int, count: int) -> list[str]:
    """The first ``count`` subnets of ``cidr`` with prefix length ``new_prefix``."""
    subnets = parse_cidr(cidr).subnets(new_prefix=new_prefix)
    out: list[str] = []
    for net in subnets:
        if len(out) == count:
            break
        out.append(str(net))
    if len(out) < count:
        raise ValueError(f"{cidr} holds fewer than {count} /{new_prefix} subnets")
    return out


def smallest_prefix_for(cidr: str, count: int) -> int:
    """Longest prefix that still cuts ``count`` equal subnets out of ``cidr``."""
    net = parse_cidr(cidr)
    bits = max(count - 1, 0).bit_length()
    return net.prefixlen + bits


def overlapping_pairs(named: Sequence[tuple[str, str]]) -> Iterable[tuple[str, str, str, str]]:
    """Yield ``(name_a, cidr_a, name_b, cidr_b)`` for every overlapping pair, in order.

    Pairs come in input order: ``a`` before ``b`` in ``named``, sorted by ``a``'s position,
    then ``b``'s. The work is O(n log n) plus the pairs found, not O(n²): two CIDRs overlap
    only when one contains the other, so after sorting by first address (the wider block
    first), the blocks still open at an address are a chain of nested blocks, and each new
    block overlaps exactly the ones still open.
    """
    blocks: list[tuple[int, int, int]] = []  # (first address, last address, index)
    for index, (_, cidr) in enumerate(named):
        net = parse_cidr(cidr)
        blocks.append((int(net.network_address), int(net.broadcast_address), index))
    blocks.sort(key=lambda b: (b[0], -b[1], b[2]))
    open_blocks: list[tuple[int, int]] = []  # (last address, index); innermost last
    pairs: list[tuple[int, int]] = []
    for first, last, index in blocks:
        # Nested: the innermost block ends first, so closed blocks are all at the top.
        while open_blocks and open_blocks[-1][0] < first:
            open_blocks.pop()
        pairs += [(min(index, other), max(index, other)) for _, other in open_blocks]
        open_blocks.append((last, index))
    for i, j in sorted(pairs):
        yield named[i][0], named[i][1], named[j][0], named[j][1]

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


# ------------------------------------------------------------------ how much of the internet

# A source list (admin networks, health-check sources, firewall rule sources) is judged by the
# union of its ranges, so that 0.0.0.0/1 + 128.0.0.0/1 counts as the internet it is: it may
# admit at most as many public addresses as one /8 holds.
WIDEST_PUBLIC_PREFIX: Final[int] = 8
# Ranges no internet host can come from (IANA special-purpose registries, RFC 6890): "this
# network", private (RFC 1918), shared CGNAT, loopback, link-local, IETF protocol assignments,
# documentation, benchmarking, multicast and reserved. Addresses there are not public.
NON_PUBLIC_IPV4: Final[tuple[str, ...]] = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
)
# IPv6: only global unicast (2000::/3) is public, less the documentation prefix.
PUBLIC_IPV6: Final[str] = "2000::/3"
NON_PUBLIC_IPV6: Final[tuple[str, ...]] = ("2001:db8::/32",)

AnyNet = ipaddress.IPv4Network | ipaddress.IPv6Network


def subtract(nets: list[AnyNet], hole: AnyNet) -> list[AnyNet]:
    """``nets`` (disjoint) without the addresses of ``hole`` (other IP versions kept)."""
    out: list[AnyNet] = []
    for net in nets:
        if hole.version != net.version or not net.overlaps(hole):
            out.append(net)
        elif not net.subnet_of(hole):  # type: ignore[arg-type]
            # Overlapping CIDRs nest: the hole lies inside this one; keep the rest of it.
            out.extend(net.address_exclude(hole))  # type: ignore[arg-type]
    return out


def public_part(sources: Iterable[str]) -> list[AnyNet]:
    """The public addresses of the union of ``sources``, as disjoint networks.

    ``sources`` are CIDRs or addresses, IPv4 or IPv6 (host bits allowed); anything that is not
    one (an Azure service tag, a security group id) is left out.
    """
    parsed: list[AnyNet] = []
    for source in sources:
        try:
            parsed.append(ipaddress.ip_network(source.strip(), strict=False))
        except ValueError:
            continue
    v6_public = ipaddress.IPv6Network(PUBLIC_IPV6)
    v4: list[AnyNet] = list(ipaddress.collapse_addresses(n for n in parsed if n.version == 4))
    v6: list[AnyNet] = []
    for net in ipaddress.collapse_addresses(n for n in parsed if n.version == 6):
        if net.subnet_of(v6_public):
            v6.append(net)
        elif v6_public.subnet_of(net):
            v6.append(v6_public)
    for hole in NON_PUBLIC_IPV4:
        v4 = subtract(v4, ipaddress.IPv4Network(hole))
    for hole in NON_PUBLIC_IPV6:
        v6 = subtract(v6, ipaddress.IPv6Network(hole))
    return sorted(v4) + sorted(v6)


def too_public(sources: Iterable[str]) -> str | None:
    """Why the union of ``sources`` admits too much of the internet, or None if it does not.

    Too much: more public addresses of one IP version than a ``/WIDEST_PUBLIC_PREFIX`` holds,
    however the ranges are cut (two /1s, or many /9s, are judged together).
    """
    by_version: dict[int, int] = {}
    for net in public_part(sources):
        by_version[net.version] = by_version.get(net.version, 0) + net.num_addresses
    for version, bits in ((4, 32), (6, 128)):
        limit = 2 ** (bits - WIDEST_PUBLIC_PREFIX)
        count = by_version.get(version, 0)
        if count > limit:
            return (
                f"{count:,} public IPv{version} addresses, more than a "
                f"/{WIDEST_PUBLIC_PREFIX} holds ({limit:,})"
            )
    return None

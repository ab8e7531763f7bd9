"""How much of the internet a source list admits (components/network.py): the rule the
config's CIDR-list checks and the guardrail pack share."""

from __future__ import annotations

import ipaddress

import pytest

from components import network

SLASH_8 = 2**24


def public_count(sources: list[str]) -> int:
    return sum(n.num_addresses for n in network.public_part(sources) if n.version == 4)


def test_the_union_is_judged_not_each_range() -> None:
    halves = ["0.0.0.0/1", "128.0.0.0/1"]
    assert all(ipaddress.ip_network(h).prefixlen == 1 for h in halves)
    assert network.too_public(halves) == network.too_public(["0.0.0.0/0"])
    assert network.too_public(halves) == (
        "3,702,258,688 public IPv4 addresses, more than a /8 holds (16,777,216)"
    )
    # Many small pieces add up the same way: 256 /16s are a /8, one more is too many.
    pieces = [f"11.{i}.0.0/16" for i in range(256)]
    assert network.too_public(pieces) is None
    assert network.too_public([*pieces, "12.0.0.0/32"]) is not None


def test_non_public_ranges_do_not_count() -> None:
    private = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]
    assert public_count(private) == 0
    assert network.too_public(private) is None
    # The whole IPv4 space less every non-public range the registry lists.
    non_public = sum(ipaddress.ip_network(n).num_addresses for n in network.NON_PUBLIC_IPV4)
    assert public_count(["0.0.0.0/0"]) == 2**32 - non_public


def test_overlaps_count_once_and_the_limit_is_inclusive() -> None:
    assert public_count(["1.0.0.0/8", "1.0.0.0/9", "1.2.3.0/24"]) == SLASH_8
    assert network.too_public(["1.0.0.0/8", "1.0.0.0/9"]) is None
    assert network.too_public(["1.0.0.0/8", "2.0.0.1/32"]) == (
        "16,777,217 public IPv4 addresses, more than a /8 holds (16,777,216)"
    )


def test_ipv6_is_judged_on_its_own_scale() -> None:
    assert network.too_public(["::/1", "8000::/1"]) is not None  # all of 2000::/3 is public
    assert network.too_public(["2001:db8::/32"]) is None  # documentation
    assert network.too_public(["fd00::/8", "fe80::/10"]) is None  # unique local, link-local
    assert network.too_public(["2600::/12"]) is None


@pytest.mark.parametrize("source", ["AzureLoadBalancer", "sg-0123", "", "10.0.0.300/8"])
def test_what_is_not_a_range_is_left_out(source: str) -> None:
    assert network.public_part([source]) == []


def test_subtract_keeps_what_is_left() -> None:
    net = ipaddress.ip_network("10.0.0.0/16")
    left = network.subtract([net], ipaddress.ip_network("10.0.1.0/24"))
    assert sum(n.num_addresses for n in left) == 2**16 - 2**8
    assert all(not n.overlaps(ipaddress.ip_network("10.0.1.0/24")) for n in left)
    assert network.subtract([net], ipaddress.ip_network("10.0.0.0/8")) == []
    assert network.subtract([net], ipaddress.ip_network("11.0.0.0/8")) == [net]

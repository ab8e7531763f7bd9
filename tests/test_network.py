"""``network.overlapping_pairs``: the same pairs as comparing every two, without doing so.

Issue 16, item 10: ``airs validate`` took 0.57 s with 300 applications, 4.65 s with 1,000 and
38.8 s with 3,000, because the overlap check compared every pair of ranges (parsing both
CIDRs each time). The speed itself is measured by ``scripts/bench --only validation``; here
the answer is pinned to the pairwise one, and the work to one parse per range.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Sequence

import pytest

from components import network


def _pairwise(named: Sequence[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """Every pair compared: the definition the fast version must match, order included."""
    return [
        (name_a, cidr_a, name_b, cidr_b)
        for i, (name_a, cidr_a) in enumerate(named)
        for name_b, cidr_b in named[i + 1 :]
        if ipaddress.IPv4Network(cidr_a).overlaps(ipaddress.IPv4Network(cidr_b))
    ]


def _random_ranges(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Nested, disjoint and repeated ranges inside 10.0.0.0/16, so all cases meet."""
    out: list[tuple[str, str]] = []
    for i in range(count):
        prefix = rng.randint(16, 30)
        address = rng.randrange(0, 2**16) + (10 << 24)
        net = ipaddress.IPv4Network((address, prefix), strict=False)
        out.append((f"r{i}", str(net)))
    if out:
        out.append(("again", out[rng.randrange(len(out))][1]))  # the same CIDR twice
    return out


@pytest.mark.parametrize("seed", range(40))
def test_same_pairs_in_the_same_order_as_comparing_every_two(seed: int) -> None:
    rng = random.Random(seed)
    named = _random_ranges(rng, rng.randint(0, 60))
    rng.shuffle(named)
    assert list(network.overlapping_pairs(named)) == _pairwise(named)


def test_the_config_cases() -> None:
    named = [
        ("securityProject.cidrs.trust", "10.10.2.0/24"),
        ("applications.a.cidrs[0]", "10.20.0.0/16"),
        ("clusters.k.podCidr", "10.20.64.0/18"),
        ("applications.b.cidrs[0]", "10.10.0.0/16"),
        ("clusters.k.serviceCidr", "10.20.64.0/24"),
    ]
    assert list(network.overlapping_pairs(named)) == [
        ("securityProject.cidrs.trust", "10.10.2.0/24", "applications.b.cidrs[0]", "10.10.0.0/16"),
        ("applications.a.cidrs[0]", "10.20.0.0/16", "clusters.k.podCidr", "10.20.64.0/18"),
        ("applications.a.cidrs[0]", "10.20.0.0/16", "clusters.k.serviceCidr", "10.20.64.0/24"),
        ("clusters.k.podCidr", "10.20.64.0/18", "clusters.k.serviceCidr", "10.20.64.0/24"),
    ]


def test_each_range_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # 3,000 applications' ranges: the pairwise version parsed 2 × 4.5 million CIDRs.
    named = [
        (f"applications.app-{i}.cidrs[0]", f"10.{i // 256}.{i % 256}.0/24") for i in range(3000)
    ]
    parsed: list[str] = []
    parse = network.parse_cidr

    def counting(value: str) -> ipaddress.IPv4Network:
        parsed.append(value)
        return parse(value)

    monkeypatch.setattr(network, "parse_cidr", counting)
    monkeypatch.setattr(network, "overlaps", lambda a, b: pytest.fail("compared a pair"))
    assert list(network.overlapping_pairs(named)) == []
    assert len(parsed) == len(named)

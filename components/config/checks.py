"""Rules that span keys, common to every target; each target adds its own (``checks``).

They run once every key has parsed on its own, in a fixed order (the order of the lines a
user reads): the security side, overlaps, decryption, names, applications, clusters.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Mapping

from components import network
from components.config.base import ConfigProblem, Problems
from components.config.models import (
    PANORAMA_CLUSTER_NAME_MAX,
    PANORAMA_CLUSTER_NAME_RULE,
    STEERING_CIDRS_MAX,
    Application,
    Bootstrap,
    Cluster,
)
from components.config.stack import StackConfig, TargetRules


def security_side_checks(
    mgmt_allowed_cidrs: list[str], health_check_port: int, problems: Problems
) -> None:
    """What every public cloud's security project must respect: closed management, a
    health-check port the management profile answers."""
    whole = False
    for i, cidr in enumerate(mgmt_allowed_cidrs):
        if network.parse_cidr(cidr).prefixlen == 0:
            whole = True
            problems.add(
                f"securityProject.mgmtAllowedCidrs[{i}]",
                cidr,
                "must not open the firewalls' management to the whole internet",
            )
    if not whole:  # one line per mistake: a 0.0.0.0/0 entry is already named above
        source_list_checks(
            "securityProject.mgmtAllowedCidrs",
            mgmt_allowed_cidrs,
            "the firewalls' management (SSH, HTTPS)",
            problems,
        )
    if health_check_port not in network.HEALTH_CHECK_SERVICES:
        problems.add(
            "securityProject.healthCheckPort",
            health_check_port,
            "must be 443, 80 or 22: load balancer health checks are answered by the "
            "HTTPS, HTTP or SSH service of the allow-health-checks management profile",
        )


def source_list_checks(key: str, cidrs: list[str], what: str, problems: Problems) -> None:
    """A list of sources admitted to ``what`` must not add up to the internet.

    The ranges are judged together: ``[0.0.0.0/1, 128.0.0.0/1]`` is the whole internet though
    neither entry is. Private and other non-public ranges do not count
    (:func:`components.network.too_public`).
    """
    why = network.too_public(cidrs)
    if why is not None:
        problems.add(
            key,
            cidrs,
            f"together admit {why}: that opens {what} to much of the internet; list only the "
            "networks that need it",
        )


def replicas_checks(min_replicas: int, max_replicas: int, problems: Problems) -> None:
    """An autoscaled firewall group's minimum must not exceed its maximum."""
    if min_replicas > max_replicas:
        problems.add(
            "securityProject.firewall.minReplicas",
            min_replicas,
            f"must not exceed airs:securityProject.firewall.maxReplicas ({max_replicas})",
        )


def firewall_group_checks(
    min_replicas: int, max_replicas: int, boot: Bootstrap, problems: Problems
) -> None:
    """An autoscaled firewall group's size and licensing (GCP, AWS)."""
    replicas_checks(min_replicas, max_replicas, problems)
    licensing_checks(boot, max_replicas > min_replicas, problems)


def licensing_checks(boot: Bootstrap, autoscaled: bool, problems: Problems) -> None:
    """BYOL auth codes suit a fixed-size group; an autoscaled one licenses through Panorama."""
    if boot.auth_codes is not None and autoscaled:
        problems.add(
            "securityProject.firewall.bootstrap.authCodes",
            "[secret]",
            "cannot license an autoscaled group (maxReplicas > minReplicas): a firewall removed "
            "at scale-in would keep its licence. Set bootstrap.panoramaLicensing: true instead "
            "(the license manager of Panorama's Software Firewall License plugin licenses and "
            "delicenses), or give the group a fixed size",
        )


def ilb_ip_checks(given: str | None, trust: str, problems: Problems) -> None:
    """A given internal load balancer address must be a usable address of the trust subnet."""
    if given is None:
        return
    net = network.parse_cidr(trust)
    ip = ipaddress.IPv4Address(given)
    if ip not in net:
        problems.add("securityProject.ilbIp", given, f"must lie inside the trust subnet {trust}")
    elif ip in (net.network_address, net.network_address + 1, net.broadcast_address):
        problems.add("securityProject.ilbIp", given, f"is reserved in the trust subnet {trust}")


def steered_subnets_checks(
    cloud: str, app_key: str, app: Application, what_routes: str, problems: Problems
) -> None:
    """``protection: vpc`` needs ``subnets`` where only those subnets' routes steer a network.

    On AWS and Azure an application network is steered through the firewalls only by the
    routes the program writes for its listed ``subnets``; with none, ``pulumi up`` connects
    the network (endpoints, peering, an unassociated route table) and steers no traffic.

    Args:
        cloud: ``airs:cloud``, for the rule's text.
        app_key: the key of the application under ``airs:applications``.
        app: the application.
        what_routes: what the cloud does with each listed subnet, for the rule's text.
        problems: where a problem is recorded.
    """
    if app.protection == "vpc" and not app.subnets:
        problems.add(
            f"applications.{app_key}.subnets",
            None,
            f"is required with protection vpc (the default) on {cloud}: {what_routes}; "
            "with none, no traffic of this network is steered through the firewalls. List "
            f"the subnets to protect, or set airs:applications.{app_key}.protection to "
            "namespace if only the pods pan-cni steers are to be inspected",
        )


def cross_checks(
    cfg: StackConfig, targets: Mapping[str, TargetRules], broken: Collection[str] = ()
) -> list[ConfigProblem]:
    """Rules that span keys; run once every key parsed on its own, on what parsed.

    A stack with problems is checked too, so every independent problem shows in one pass:
    ``cfg`` then holds the valid parts only (an invalid section is None, an invalid
    application or cluster is left out) and ``broken`` names what is missing, so a check
    that needs it is skipped rather than misled.

    Args:
        cfg: the parsed stack (the valid parts of it, when ``broken`` is not empty).
        targets: every target's rules; the stack's own checks its section and applications,
            and each cluster is checked by the target that owns its type.
        broken: key paths that did not parse: ``panorama`` (``cfg.panorama`` is then a
            stand-in no check reads), ``securityStack``, ``applications`` or
            ``applications.<key>``, ``clusters`` or ``clusters.<key>``.
    """
    problems = Problems()
    target = targets[cfg.cloud]
    if cfg.target_config is not None:
        target.checks(cfg, problems)
    _overlap_checks(cfg, problems)
    decryption = cfg.panorama.decryption
    if "panorama" not in broken and decryption.enabled and not decryption.certificate:
        problems.add(
            "panorama.decryption.certificate",
            None,
            "is required when decryption is enabled (the forward-trust certificate's name)",
        )
    if target.public:
        for app_key, app in cfg.applications.items():
            if not app.network:
                problems.add(f"applications.{app_key}.network", None, f"is required on {cfg.cloud}")
    target.application_checks(cfg, problems)
    _cluster_checks(cfg, targets, problems, broken)
    return problems


def _overlap_checks(cfg: StackConfig, problems: Problems) -> None:
    """Security ranges, applications, pods and services must be disjoint."""
    ranges: list[tuple[str, str]] = []
    if cfg.target_config is not None:
        ranges += cfg.target_config.security_ranges()
    app_of: dict[str, str] = {}
    for app_key, app in cfg.applications.items():
        for i, c in enumerate(app.cidrs):
            key = f"applications.{app_key}.cidrs[{i}]"
            ranges.append((key, c))
            app_of[key] = app_key
    pod_owner: dict[str, str | None] = {}
    for c_key, cluster in cfg.clusters.items():
        pod_key = f"clusters.{c_key}.podCidr"
        ranges.append((pod_key, cluster.pod_cidr))
        ranges.append((f"clusters.{c_key}.serviceCidr", cluster.service_cidr))
        pod_owner[pod_key] = cluster.application
    for key_a, cidr_a, key_b, cidr_b in network.overlapping_pairs(ranges):
        # EKS and AKS (Azure CNI) give pods addresses from their own VPC/VNet: a pod range
        # inside its own application network is how those clusters work, not a clash.
        if (
            key_b in pod_owner
            and app_of.get(key_a) == pod_owner[key_b]
            and network.subnet_within(cidr_b, cidr_a)
        ):
            continue
        problems.add(key_b, cidr_b, f"overlaps airs:{key_a} ({cidr_a})")


def _cluster_checks(
    cfg: StackConfig,
    targets: Mapping[str, TargetRules],
    problems: Problems,
    broken: Collection[str],
) -> None:
    allowed_types = targets[cfg.cloud].cluster_types
    owner_of_type = {t: target for target in targets.values() for t in target.cluster_types}
    seen_ids: dict[int, str] = {}
    seen_names: dict[str, str] = {}
    # Clusters that do not set an interval inherit the stack's (see monitoring_interval()).
    pano_interval = cfg.panorama.monitoring_interval
    intervals = {
        c.monitoring_interval for c in cfg.clusters.values() if c.monitoring_interval is not None
    }
    for c_key, cluster in cfg.clusters.items():
        base = f"clusters.{c_key}"
        if cluster.type not in allowed_types:
            problems.add(
                f"{base}.type",
                cluster.type,
                f"airs:cloud {cfg.cloud} supports cluster types {', '.join(allowed_types)}",
            )
        if cluster.cluster_id in seen_ids:
            problems.add(
                f"{base}.clusterId",
                cluster.cluster_id,
                f"must be unique (airs:clusters.{seen_ids[cluster.cluster_id]} uses it too)",
            )
        seen_ids.setdefault(cluster.cluster_id, c_key)
        pname = cfg.panorama_cluster_name(c_key)
        pkey = f"{base}.panoramaName"
        # A given panoramaName is checked as a field; the key it defaults to is checked here.
        if cluster.panorama_name is None and len(pname) > PANORAMA_CLUSTER_NAME_MAX:
            problems.add(pkey, pname, PANORAMA_CLUSTER_NAME_RULE)
        if pname in seen_names:
            problems.add(
                pkey, pname, f"must be unique (airs:clusters.{seen_names[pname]} uses it too)"
            )
        seen_names.setdefault(pname, c_key)
        if cluster.kubeconfig is None and not cluster.context:
            problems.add(f"{base}.kubeconfig", None, "give a kubeconfig (secret) or a context")
        # A cluster stack's applications are its security stack's (checked against its outputs).
        # An application that did not parse is still a key of airs:applications.
        if (
            cluster.application is not None
            and cluster.application not in cfg.applications
            and cfg.security_stack is None
            and not {"securityStack", "applications", f"applications.{cluster.application}"}
            & set(broken)
        ):
            problems.add(
                f"{base}.application",
                cluster.application,
                f"is not a key of airs:applications ({', '.join(cfg.applications) or 'none'})",
            )
        _steering_checks(base, cluster, problems)
        owner = owner_of_type.get(cluster.type)
        if owner is not None:
            owner.cluster_checks(cfg, c_key, cluster, problems)
        # The one interval is Panorama's: unknown while airs:panorama does not parse.
        explicit = cluster.monitoring_interval is not None and "panorama" not in broken
        if explicit and pano_interval is not None and cluster.monitoring_interval != pano_interval:
            problems.add(
                f"{base}.monitoringInterval",
                cluster.monitoring_interval,
                f"must equal airs:panorama.monitoringInterval ({pano_interval}) "
                "(Panorama's Kubernetes plugin has one interval)",
            )
        elif explicit and pano_interval is None and len(intervals) > 1:
            problems.add(
                f"{base}.monitoringInterval",
                cluster.monitoring_interval,
                "must be the same for every cluster "
                "(Panorama's Kubernetes plugin has one interval)",
            )


def _steering_checks(base: str, cluster: Cluster, problems: Problems) -> None:
    """``steering`` lists only ``namespace``-mode namespaces, one list each, within the limit."""
    for namespace, given in cluster.steering.items():
        key = f"{base}.steering.{namespace}"
        mode = cluster.protect.get(namespace)
        if mode != "namespace":
            problems.add(
                key,
                namespace,
                f"applies only to a namespace protected in namespace mode "
                f"(airs:{base}.protect.{namespace} is {mode or 'not set'}; set it to namespace)",
            )
        if (given.inspect is None) == (given.bypass is None):
            problems.add(
                key,
                given.model_dump(exclude_none=True),
                "needs exactly one of inspect (only these ranges go through the firewall) "
                "or bypass (these ranges go around it)",
            )
        bypassed = ipaddress.collapse_addresses(network.parse_cidr(c) for c in given.bypass or [])
        if any(net.prefixlen == 0 for net in bypassed):
            problems.add(
                f"{key}.bypass",
                given.bypass,
                "covers every destination, so the namespace's traffic would never reach the "
                "firewall; list only the ranges to keep off it (or remove the namespace from "
                "protect)",
            )
    distinct = {
        cidr
        for namespace, mode in cluster.protect.items()
        if mode == "namespace"
        for cidr in cluster.steering_of(namespace)[1]
    }
    if len(distinct) > STEERING_CIDRS_MAX:
        problems.add(
            f"{base}.steering",
            sorted(distinct, key=ipaddress.ip_network),
            f"has {len(distinct)} distinct CIDRs (counting the default bypass of namespace-mode "
            f"namespaces not listed); pan-cni's traffic-steering inspection takes at most "
            f"{STEERING_CIDRS_MAX} per cluster",
        )

"""Private clouds (OpenShift, Rancher, native Kubernetes): an on-prem firewall we configure."""

from components.clouds.base import Cloud, lazy
from components.clouds.private import config, panorama

PRIVATE = Cloud(
    name="private",
    public=False,
    config_key="firewall",
    config_model=config.PrivateFirewall,
    config_noun="firewall",
    config_owned="the firewall's configuration",
    cluster_types=("OpenShift", "Rancher", "Native"),
    checks=config.checks,
    panorama_facts=panorama.panorama_facts,
    panorama_profile=panorama.profile,
    security_side=lazy("components.clouds.private.security:security_side"),
    endpoint_output="firewallTrustIp",
)
"""The private-cloud target."""

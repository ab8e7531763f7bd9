"""Every Panorama location that pan-os-python does not compute for us, in one table.

Entries marked ``UNVERIFIED`` come from ``reference/panorama_research.md`` §2: third-party
fixtures, CLI tokens or conventions, not from a capture of a real Panorama. Correct them
here (and regenerate the golden files, see ``tests/panorama/README.md``) once they have been
read back from a lab device with ``type=config&action=show``.
"""

from __future__ import annotations

from typing import Final

# PAN-OS version the offline renderer pretends to talk to; pan-os-python picks the XML
# schema of versioned objects from it, and setting it keeps the renderer from connecting.
PANOS_VERSION: Final[tuple[int, int, int]] = (11, 1, 0)

PANORAMA_ROOT: Final[str] = "/config/devices/entry[@name='localhost.localdomain']"
DEVICE_GROUP: Final[str] = PANORAMA_ROOT + "/device-group/entry[@name='{dg}']"
TEMPLATE_STACK: Final[str] = PANORAMA_ROOT + "/template-stack/entry[@name='{stack}']"

# --- AI security profile (CloudConnector plugin 2.1.0) -------------------------------
# UNVERIFIED: element names from a third-party PAN-OS 12.1 config-parser fixture.
AI_SECURITY_PROFILE_SUFFIX: Final[str] = "/profiles/ai-security"
AI_SECURITY_PROFILE: Final[str] = (
    DEVICE_GROUP + AI_SECURITY_PROFILE_SUFFIX + "/entry[@name='{name}']"
)
# The same profile in Shared, where it outlives a deployment's device group.
SHARED_AI_SECURITY_PROFILE: Final[str] = (
    "/config/shared" + AI_SECURITY_PROFILE_SUFFIX + "/entry[@name='{name}']"
)
# UNVERIFIED: tag of the AI security member inside a security profile group.
PROFILE_GROUP_AI_SECURITY_TAG: Final[str] = "ai-security"
PROFILE_GROUP: Final[str] = DEVICE_GROUP + "/profile-group/entry[@name='{name}']"

# --- decryption (pango specs: device/ssl-decrypt.yaml, decryption-profile.yaml) -------
# One object per certificate setting, so the rest of ssl-decrypt (trusted roots, exclusions
# others maintain) is never ours to overwrite.
SSL_DECRYPT: Final[str] = (
    PANORAMA_ROOT + "/template/entry[@name='{template}']/config/shared/ssl-decrypt"
)
DECRYPTION_PROFILE: Final[str] = DEVICE_GROUP + "/profiles/decryption/entry[@name='{name}']"

# --- VM-Series plugin in a template (the vendor's exported autoscaling template, PAN-OS 10.2)
VM_SERIES_PLUGIN: Final[str] = (
    PANORAMA_ROOT + "/template/entry[@name='{template}']/config/devices"
    "/entry[@name='localhost.localdomain']/deviceconfig/plugins/vm_series"
)
# Its Google Cloud Monitoring (Stackdriver) publishing keeps the legacy tag ``gcp-cloudwatch``
# (children ``enabled``, ``update-interval`` in minutes): seen in PAN-OS 9.0 and 10.1
# configurations exported from GCP builds Palo Alto engineers publish (GitHub wwce/terraform
# gcp/ilbnh-mig, wwce/gcp-tf-cie-lab); PAN-OS 8.1, before the plugin, had it under
# deviceconfig/setting.
GCP_CLOUD_MONITORING_TAG: Final[str] = "gcp-cloudwatch"

# --- Kubernetes plugin ----------------------------------------------------------------
# UNVERIFIED: root follows Panorama's plugin convention (plugins/cloud_services).
K8S_ROOT: Final[str] = PANORAMA_ROOT + "/plugins/kubernetes"
K8S_CLUSTER: Final[str] = K8S_ROOT + "/setup/cluster-credentials/entry[@name='{name}']"
K8S_NOTIFY_GROUP: Final[str] = K8S_ROOT + "/setup/notify-group/entry[@name='{name}']"
K8S_MONITORING_DEFINITION: Final[str] = K8S_ROOT + "/monitoring-definition/entry[@name='{name}']"
# UNVERIFIED: where "Enable Monitoring" and "Monitoring Interval" (Setup > General) live.
K8S_GENERAL: Final[str] = K8S_ROOT + "/setup/general"
K8S_GENERAL_ENABLE_TAG: Final[str] = "enable-monitoring"
K8S_GENERAL_INTERVAL_TAG: Final[str] = "monitoring-interval"
# Leaves of a cluster-credentials entry (CN-Series-Deployer CLI tokens).
K8S_API_SERVER_TAG: Final[str] = "api-server-address"
K8S_CLUSTER_TYPE_TAG: Final[str] = "cluster-type"
K8S_CREDENTIAL_PATH: Final[tuple[str, ...]] = ("cluster-credential-file", "service-account-cred")
# UNVERIFIED: the label filter / selector leaves under <labels>.
K8S_LABELS_TAG: Final[str] = "labels"
K8S_LABEL_FILTER_TAG: Final[str] = "label-filter"
K8S_LABEL_SELECTOR_TAG: Final[str] = "label-selector"
# Monitoring definition leaves.
K8S_MD_CLUSTER_TAG: Final[str] = "cluster-credentials"
K8S_MD_NOTIFY_TAG: Final[str] = "notify-group"
K8S_MD_ENABLE_TAG: Final[str] = "enable"
K8S_NOTIFY_DEVICE_GROUP_TAG: Final[str] = "device-group"
# UNVERIFIED except Native-Kubernetes (the deployer script's token): cluster-type values.
K8S_CLUSTER_TYPES: Final[dict[str, str]] = {
    "GKE": "GKE",
    "AKS": "AKS",
    "EKS": "EKS",
    "OpenShift": "OpenShift",
    "Native": "Native-Kubernetes",
    "Other": "Other",
}

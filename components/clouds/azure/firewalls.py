"""The Azure firewalls: a Uniform scale set or standalone VMs of the AIRS marketplace image.

NIC order decides the PAN-OS interface (``NIC_ORDER``); NICs, public IPs and pool memberships
are inline properties of the scale set. Part of
:class:`~components.clouds.azure.security_project.AzureSecurityProject`.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_azure_native import compute, network

from components.clouds.azure.config import AzureSecurityProject as AzureSecurityProjectConfig
from components.clouds.azure.facts import NIC_ORDER, custom_data
from components.config import StackConfig

IMAGE_PUBLISHER = "paloaltonetworks"


class AzureFirewalls:
    """The firewall build steps of ``AzureSecurityProject`` (a mixin: it owns no state)."""

    _cfg: StackConfig
    _sp: AzureSecurityProjectConfig
    _name: str
    _group: pulumi.Input[str]
    _opts: pulumi.ResourceOptions
    tags: dict[str, str]
    subnet_ids: dict[str, pulumi.Output[str]]
    internal_lb: network.LoadBalancer
    public_lb: network.LoadBalancer

    def _pools(self) -> dict[str, list[dict[str, str]]]:
        """Load balancer backend pools by NIC role (the security project's)."""
        raise NotImplementedError

    def _image(self) -> tuple[dict[str, str], dict[str, str]]:
        """Marketplace image reference and its purchase plan (the AIRS offer)."""
        fw = self._sp.firewall
        image = {
            "publisher": IMAGE_PUBLISHER,
            "offer": fw.image_offer,
            "sku": fw.image_sku,
            "version": fw.image_version,
        }
        plan = {"publisher": IMAGE_PUBLISHER, "product": fw.image_offer, "name": fw.image_sku}
        return image, plan

    def _linux(self) -> dict[str, Any]:
        fw = self._sp.firewall
        return {
            "disable_password_authentication": True,
            "ssh": {
                "public_keys": [
                    {
                        "path": f"/home/{fw.admin_username}/.ssh/authorized_keys",
                        "key_data": fw.ssh_public_key,
                    }
                ]
            },
        }

    def _firewalls(self) -> pulumi.Output[str]:
        """The scale set (or VMs); returns the firewall group id."""
        # Every firewall must be in place only after both LBs exist (pool ids are strings).
        deps = pulumi.ResourceOptions(depends_on=[self.internal_lb, self.public_lb])
        if self._sp.firewall.mode == "vmss":
            vmss = self._scale_set(pulumi.ResourceOptions.merge(self._opts, deps))
            vmss_id: pulumi.Output[str] = vmss.id
            return vmss_id
        self._vms(pulumi.ResourceOptions.merge(self._opts, deps))
        # Standalone VMs have no group resource: the ILB pool that balances them stands in.
        pool = self._pools()["trust"][0]["id"]
        ilb_id: pulumi.Output[str] = self.internal_lb.id
        return ilb_id.apply(lambda _: pool)

    def _scale_set(self, opts: pulumi.ResourceOptions) -> compute.VirtualMachineScaleSet:
        """A Uniform scale set; NICs, public IPs and pool memberships are inline."""
        sp, fw, prefix = self._sp, self._sp.firewall, self._cfg.name
        image, plan = self._image()
        pools = self._pools()
        nics: list[dict[str, Any]] = []
        for role in NIC_ORDER:
            ip_config: dict[str, Any] = {
                "name": f"{role}-ipconfig",
                "primary": True,
                "subnet": {"id": self.subnet_ids[role]},
                "load_balancer_backend_address_pools": pools[role],
            }
            if role == "mgmt":
                # Management reaches Panorama and the admins through its own public IP.
                ip_config["public_ip_address_configuration"] = {
                    "name": "mgmt-public-ip",
                    "sku": {"name": "Standard", "tier": "Regional"},
                    "idle_timeout_in_minutes": 4,
                }
            nics.append(
                {
                    "name": _nic_name(prefix, role),
                    "primary": role == "mgmt",
                    # Data NICs forward other hosts' packets at line rate; management may not
                    # use accelerated networking on PAN-OS.
                    "enable_ip_forwarding": role != "mgmt",
                    "enable_accelerated_networking": role != "mgmt",
                    "ip_configurations": [ip_config],
                }
            )
        return compute.VirtualMachineScaleSet(
            f"{self._name}-vmss",
            resource_group_name=self._group,
            vm_scale_set_name=f"{prefix}-vmss",
            location=sp.location,
            zones=list(sp.zones),
            sku={"name": fw.vm_size, "tier": "Standard", "capacity": fw.min_replicas},
            plan=plan,
            orchestration_mode="Uniform",
            # Over-provisioned extras would bootstrap and register with Panorama too.
            overprovision=False,
            upgrade_policy={"mode": "Manual"},
            platform_fault_domain_count=1,
            virtual_machine_profile={
                "os_profile": {
                    "computer_name_prefix": prefix,
                    "admin_username": fw.admin_username,
                    "custom_data": custom_data(self._cfg),
                    "linux_configuration": self._linux(),
                },
                "storage_profile": {
                    "image_reference": image,
                    "os_disk": {
                        "create_option": "FromImage",
                        "caching": "ReadWrite",
                        "managed_disk": {"storage_account_type": "StandardSSD_LRS"},
                    },
                },
                "network_profile": {"network_interface_configurations": nics},
            },
            tags=self.tags,
            opts=opts,
        )

    def _vms(self, opts: pulumi.ResourceOptions) -> list[compute.VirtualMachine]:
        """``minReplicas`` standalone VMs spread over the zones, three NICs each."""
        sp, fw, prefix = self._sp, self._sp.firewall, self._cfg.name
        image, plan = self._image()
        pools = self._pools()
        secret_data = custom_data(self._cfg)
        vms: list[compute.VirtualMachine] = []
        for index in range(fw.min_replicas):
            vm_name = f"{prefix}-fw{index + 1}"
            zone = sp.zones[index % len(sp.zones)]
            nic_ids: list[pulumi.Output[str]] = []
            for role in NIC_ORDER:
                ip_config: dict[str, Any] = {
                    "name": f"{role}-ipconfig",
                    "primary": True,
                    "private_ip_allocation_method": "Dynamic",
                    "subnet": {"id": self.subnet_ids[role]},
                    "load_balancer_backend_address_pools": pools[role],
                }
                if role == "mgmt":
                    pip = network.PublicIPAddress(
                        f"{self._name}-fw{index + 1}-mgmt-ip",
                        resource_group_name=self._group,
                        public_ip_address_name=f"{vm_name}-mgmt-ip",
                        location=sp.location,
                        sku={"name": "Standard", "tier": "Regional"},
                        public_ip_allocation_method="Static",
                        zones=[zone],
                        tags=self.tags,
                        opts=self._opts,
                    )
                    ip_config["public_ip_address"] = {"id": pip.id}
                nic = network.NetworkInterface(
                    f"{self._name}-fw{index + 1}-{role}-nic",
                    resource_group_name=self._group,
                    network_interface_name=_nic_name(vm_name, role),
                    location=sp.location,
                    enable_ip_forwarding=role != "mgmt",
                    enable_accelerated_networking=role != "mgmt",
                    ip_configurations=[ip_config],
                    tags=self.tags,
                    opts=opts,
                )
                nic_ids.append(nic.id)
            vms.append(
                compute.VirtualMachine(
                    f"{self._name}-fw{index + 1}",
                    resource_group_name=self._group,
                    vm_name=vm_name,
                    location=sp.location,
                    zones=[zone],
                    plan=plan,
                    hardware_profile={"vm_size": fw.vm_size},
                    os_profile={
                        "computer_name": vm_name,
                        "admin_username": fw.admin_username,
                        "custom_data": secret_data,
                        "linux_configuration": self._linux(),
                    },
                    storage_profile={
                        "image_reference": image,
                        "os_disk": {
                            "create_option": "FromImage",
                            "caching": "ReadWrite",
                            "delete_option": "Delete",
                            "managed_disk": {"storage_account_type": "StandardSSD_LRS"},
                        },
                    },
                    network_profile={
                        "network_interfaces": [
                            {"id": nic_id, "primary": i == 0, "delete_option": "Detach"}
                            for i, nic_id in enumerate(nic_ids)
                        ]
                    },
                    tags=self.tags,
                    opts=self._opts,
                )
            )
        return vms


def _nic_name(prefix: str, role: str) -> str:
    """NIC names; the trust NIC ends in ``-trust-vpc`` as the AIRS labelling page asks."""
    return f"{prefix}-trust-vpc" if role == "trust" else f"{prefix}-{role}-nic"

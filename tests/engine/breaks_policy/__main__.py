"""One Panorama object and no PanoramaCommit: `panorama-objects-committed` must fire."""

from components.panorama.component import PanoramaObject
from components.panorama.provider import PanoramaObjectProvider

ZONE = (
    "/config/devices/entry[@name='localhost.localdomain']/template/entry[@name='lab-tpl']"
    "/config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys1']"
    "/zone/entry[@name='trust']"
)

PanoramaObject(
    PanoramaObjectProvider(),
    "lab-panorama-zone-trust",
    {
        "hostname": "127.0.0.1",
        "kind": "zone",
        "name": "trust",
        "xpath": ZONE,
        "element": '<entry name="trust"><network><layer3/></network></entry>',
        "mode": "replace",
        "fields": {"network": ""},
        "managed": True,
        "late": {},
    },
)

"""Panorama configuration for Prisma AIRS AI Runtime: Network intercept.

Public API (import from the submodules; this package imports nothing heavy):

* ``profiles.PanoramaInputs`` / ``ClusterEntry`` / ``InboundNat`` / ``Decryption`` and
  ``profiles.build_intent(inputs) -> intent.PanoramaIntent``
* ``render.render_intent(intent) -> list[render.RenderedObject]`` (``.as_dict()`` for JSON)
* ``component.PanoramaConfig(name, intent, *, hostname, late_bound, verify_tls, ca_bundle,
  push, opts)``
* late-bound keys: ``profiles.PUBLIC_LB_ADDRESS`` (``public-lb-address``) and
  ``intent.credential_key(cluster)`` (``credential/<cluster>``)
"""

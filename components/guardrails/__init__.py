"""Guardrail policies of an AIRS deployment, as pure functions.

``model`` holds what the checks read (the planned resource, violations, value helpers);
``checks`` the checks and the pack (``GUARDRAILS``, ``evaluate``). Import from those.

The Pulumi policy pack (``policy/__main__.py``, run by ``pulumi preview --policy-pack policy``)
and ``airs plan --policy`` (the offline plan) evaluate these same checks. A resource check sees
one resource the way the engine hands it to a policy: type token, URN, logical name, input
properties under their wire (camelCase) names, and which of those properties are Pulumi
secrets. It returns violation messages. A stack check sees every resource, with the URNs each
one depends on, and returns ``(urn, message)`` pairs.

This module imports nothing from Pulumi: the pack runs it inside the policy analyzer, the CLI
inside the mock engine. Values not known during a preview are :data:`UNKNOWN`; a check skips
what it cannot know (the engine runs resource policies again at ``pulumi up``, when the values
are known), except secrecy, which is known even for unknown values.
"""

"""Colouring a picture with a promotion's differences (``airs graph --diff A B``).

The differences are the ones ``airs diff A B`` prints (:func:`components.cli.diff.compare`):
a box of B is green when the promotion adds it, amber when it changes it (with the changed
properties, old → new), and A's resources that the promotion removes are drawn back in,
red and dashed, in the stage where they were.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from components.picture import roles as r
from components.picture.build import cloud_roles
from components.picture.model import ADDED, CHANGED, REMOVED, Box, Picture


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, sort_keys=True)
    except TypeError:
        return repr(value)  # a secret shows as [secret], never its value


def _stage_of_removed(urn: str, rtype: str, name: str, roles: r.Roles) -> str | None:
    chain = urn.split("::")[2] if urn.count("::") >= 3 else ""
    role = r.role_of(roles, rtype, name)
    if role is None:
        return None
    if "ApplicationConnection" in chain:
        return r.STEERING
    if "ClusterIntercept" in chain:
        return r.APPLICATIONS
    return role.stage


def promotion_marks(result: Any, cloud: str) -> Callable[[Picture], None]:
    """A function that marks a picture of B with ``result`` (a :class:`DiffResult`)."""
    roles = cloud_roles(cloud)

    def mark(picture: Picture) -> None:
        boxes = {box.key: box for box in picture.every_box()}
        for res in result.added:
            if res.urn in boxes:
                boxes[res.urn].status = ADDED
        for change in result.changed:
            box = boxes.get(change.urn)
            if box is None:
                continue
            box.status = CHANGED
            box.changes = [
                f"{path}: {_shown(old)} → {_shown(new)}" for path, old, new in change.properties
            ]
            if len(change.properties) > len(box.changes[:4]):
                box.changes = [*box.changes[:3], f"… {len(change.properties) - 3} more"]
        stages = {group.key: group for group in picture.stages}
        # An application network is a fact of the plan, not a resource: it is new when
        # everything that steers it is.
        for group in stages[f"stage:{r.STEERING}"].groups:
            app = boxes.get(f"app:{group.key.rsplit(':', 1)[-1]}")
            if app is not None and all(b.status == ADDED for b in group.boxes):
                app.status = ADDED
        for res in result.removed:
            stage = _stage_of_removed(res.urn, res.type, res.name, roles)
            if stage is None:
                continue
            role = r.role_of(roles, res.type, res.name)
            assert role is not None
            box = Box(
                key=res.urn,
                title=res.name,
                kind=res.type,
                facts=r.facts(role, res.inputs),
                status=REMOVED,
            )
            stages[f"stage:{stage}"].boxes.append(box)

    return mark

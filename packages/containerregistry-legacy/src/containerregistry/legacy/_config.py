"""``LayerConfigFile``: the ``<v1id>/json`` metadata of one layer in a docker save v1 tarball."""

from __future__ import annotations

import dataclasses

from containerregistry.lazy import record
from containerregistry.v1 import Config, ConfigFile, GoStruct, go_json_dumps


@record
class LayerConfigFile:
    """The metadata of one v1 layer: an image config plus the v1 fields of the layer.

    The JSON is an image config's fields (as Go writes a ``ConfigFile`` embedded in a
    struct), then ``container_config``, ``id``, ``parent``, ``throwaway`` and
    ``comment``; this is the layout docker's v1 image spec gives the layer ``json``
    file and the one crane writes.

    Attributes:
        config_file: the image-config part (default an empty ``ConfigFile``).
        container_config: holds the history step's command in ``cmd`` (default
            empty; always written, as Go never omits a struct).
        id: the v1 layer id (default ``""``, omitted).
        parent: the v1 id of the layer below (default ``""``, omitted for the base).
        throwaway: True for a step that added no files (default False, omitted).
        comment: the history step's comment (default ``""``, omitted).
    """

    config_file: ConfigFile = dataclasses.field(default_factory=ConfigFile)
    container_config: Config = dataclasses.field(default_factory=Config)
    id: str = ""
    parent: str = ""
    throwaway: bool = False
    comment: str = ""

    def to_json(self) -> bytes:
        """Return the layer metadata as Go's ``encoding/json`` writes it."""
        cfg = self.config_file
        tree = GoStruct()
        # The embedded ConfigFile's fields come first, in their declared order.
        tree["architecture"] = cfg.architecture
        if cfg.author:
            tree["author"] = cfg.author
        if cfg.container:
            tree["container"] = cfg.container
        tree["created"] = str(cfg.created)
        if cfg.docker_version:
            tree["docker_version"] = cfg.docker_version
        if cfg.history:
            tree["history"] = list(cfg.history)
        tree["os"] = cfg.os
        tree["rootfs"] = cfg.rootfs
        tree["config"] = cfg.config
        if cfg.os_version:
            tree["os.version"] = cfg.os_version
        if cfg.variant:
            tree["variant"] = cfg.variant
        if cfg.os_features:
            tree["os.features"] = list(cfg.os_features)
        tree["container_config"] = self.container_config
        if self.id:
            tree["id"] = self.id
        if self.parent:
            tree["parent"] = self.parent
        if self.throwaway:
            tree["throwaway"] = True
        if self.comment:
            tree["comment"] = self.comment
        return go_json_dumps(tree)

"""crane: copy, inspect and change container images in registries, from Python.

The high-level API mirrors go-containerregistry's ``pkg/crane``: functions take
reference strings and keyword-only options (:class:`OptionArgs`). The command-line
tool lives in :mod:`containerregistry.crane.cli`.
"""

from __future__ import annotations

from containerregistry.lazy import attach

# Not typing's: importing typing would cost ``crane --help`` what laziness saves it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from containerregistry.crane._append import append, layer_from_path
    from containerregistry.crane._copy import REFUSING_TO_CLOBBER, copy, copy_repository
    from containerregistry.crane._errors import (
        CraneError,
        CraneOptionsError,
        FormatNotAvailableError,
        InputError,
        RefusingToClobberError,
    )
    from containerregistry.crane._export import export
    from containerregistry.crane._flatten import flatten, flatten_index, flattened_layer
    from containerregistry.crane._index import (
        IndexChildError,
        index_append,
        index_filter,
        index_list,
    )
    from containerregistry.crane._inputs import load_image, load_input
    from containerregistry.crane._mutate import MutateOptionError, merge_env, mutate_image
    from containerregistry.crane._options import DEFAULT_JOBS, OptionArgs, Options
    from containerregistry.crane._read import (
        catalog,
        config,
        digest,
        get,
        head,
        list_tags,
        manifest,
        pull,
        pull_layer,
    )
    from containerregistry.crane._rebase import BASE_DIGEST_ANNOTATION, BASE_NAME_ANNOTATION, rebase
    from containerregistry.crane._save import (
        DIGEST_PLACEHOLDER_TAG,
        load,
        multi_save,
        multi_save_legacy,
        multi_save_oci,
        save,
        save_legacy,
        save_oci,
    )
    from containerregistry.crane._validate import validate
    from containerregistry.crane._version import __version__
    from containerregistry.crane._write import delete, push, tag

# Names load with their module on first use: ``import containerregistry.crane.cli`` (every
# ``crane`` run) must not pay for the API it does not call (see "Cheap start").
_MODULE_OF: dict[str, str] = {
    "__version__": "_version",
    "append": "_append",
    "BASE_DIGEST_ANNOTATION": "_rebase",
    "BASE_NAME_ANNOTATION": "_rebase",
    "catalog": "_read",
    "config": "_read",
    "copy": "_copy",
    "copy_repository": "_copy",
    "CraneError": "_errors",
    "CraneOptionsError": "_errors",
    "DEFAULT_JOBS": "_options",
    "delete": "_write",
    "digest": "_read",
    "DIGEST_PLACEHOLDER_TAG": "_save",
    "export": "_export",
    "flatten": "_flatten",
    "flatten_index": "_flatten",
    "flattened_layer": "_flatten",
    "FormatNotAvailableError": "_errors",
    "get": "_read",
    "head": "_read",
    "index_append": "_index",
    "index_filter": "_index",
    "index_list": "_index",
    "IndexChildError": "_index",
    "InputError": "_errors",
    "layer_from_path": "_append",
    "list_tags": "_read",
    "load": "_save",
    "load_image": "_inputs",
    "load_input": "_inputs",
    "manifest": "_read",
    "merge_env": "_mutate",
    "multi_save": "_save",
    "multi_save_legacy": "_save",
    "multi_save_oci": "_save",
    "mutate_image": "_mutate",
    "MutateOptionError": "_mutate",
    "OptionArgs": "_options",
    "Options": "_options",
    "pull": "_read",
    "pull_layer": "_read",
    "push": "_write",
    "rebase": "_rebase",
    "REFUSING_TO_CLOBBER": "_copy",
    "RefusingToClobberError": "_errors",
    "save": "_save",
    "save_legacy": "_save",
    "save_oci": "_save",
    "tag": "_write",
    "validate": "_validate",
}

__all__ = [
    "BASE_DIGEST_ANNOTATION",
    "BASE_NAME_ANNOTATION",
    "DEFAULT_JOBS",
    "DIGEST_PLACEHOLDER_TAG",
    "REFUSING_TO_CLOBBER",
    "CraneError",
    "CraneOptionsError",
    "FormatNotAvailableError",
    "IndexChildError",
    "InputError",
    "MutateOptionError",
    "OptionArgs",
    "Options",
    "RefusingToClobberError",
    "__version__",
    "append",
    "catalog",
    "config",
    "copy",
    "copy_repository",
    "delete",
    "digest",
    "export",
    "flatten",
    "flatten_index",
    "flattened_layer",
    "get",
    "head",
    "index_append",
    "index_filter",
    "index_list",
    "layer_from_path",
    "list_tags",
    "load",
    "load_image",
    "load_input",
    "manifest",
    "merge_env",
    "multi_save",
    "multi_save_legacy",
    "multi_save_oci",
    "mutate_image",
    "pull",
    "pull_layer",
    "push",
    "rebase",
    "save",
    "save_legacy",
    "save_oci",
    "tag",
    "validate",
]


__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)

"""crane: copy, inspect and change container images in registries, from Python.

The high-level API mirrors go-containerregistry's ``pkg/crane``: functions take
reference strings and keyword-only options (:class:`OptionArgs`). The command-line
tool lives in :mod:`containerregistry.crane.cli`.
"""

from containerregistry.crane._copy import REFUSING_TO_CLOBBER, copy, copy_repository
from containerregistry.crane._errors import (
    CraneError,
    CraneOptionsError,
    FormatNotAvailableError,
    InputError,
    RefusingToClobberError,
)
from containerregistry.crane._inputs import load_image, load_input
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

__all__ = [
    "DEFAULT_JOBS",
    "DIGEST_PLACEHOLDER_TAG",
    "REFUSING_TO_CLOBBER",
    "CraneError",
    "CraneOptionsError",
    "FormatNotAvailableError",
    "InputError",
    "OptionArgs",
    "Options",
    "RefusingToClobberError",
    "__version__",
    "catalog",
    "config",
    "copy",
    "copy_repository",
    "delete",
    "digest",
    "get",
    "head",
    "list_tags",
    "load",
    "load_image",
    "load_input",
    "manifest",
    "multi_save",
    "multi_save_legacy",
    "multi_save_oci",
    "pull",
    "pull_layer",
    "push",
    "save",
    "save_legacy",
    "save_oci",
    "tag",
    "validate",
]

"""The two JSON forms a layout stores, byte for byte as ggcr writes them."""

from __future__ import annotations

import json

from containerregistry.v1 import IndexManifest

#: ``oci-layout``: Go's ``MarshalIndent`` with four spaces, no final newline.
OCI_LAYOUT_BYTES = b'{\n    "imageLayoutVersion": "1.0.0"\n}'

#: Characters Go's encoder escapes inside strings although JSON does not require it.
_GO_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def indented_index(index: IndexManifest) -> bytes:
    """Return ``index`` as ggcr's ``MarshalIndent(index, "", "   ")`` (three spaces).

    The compact Go encoding fixes field order and omissions; re-indenting it keeps
    them, and the escapes Go applies are restored afterwards (they can only occur
    inside strings).
    """
    tree = json.loads(index.to_json())
    text = json.dumps(tree, indent=3, ensure_ascii=False, separators=(",", ": "))
    for raw, escaped in _GO_ESCAPES:
        text = text.replace(raw, escaped)
    return text.encode("utf-8")

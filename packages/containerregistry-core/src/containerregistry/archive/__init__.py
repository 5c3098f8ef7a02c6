"""Tar archives written byte for byte as Go's ``archive/tar`` writes them.

:class:`TarWriter` streams entries (USTAR when they fit, PAX or GNU where Go would
use them) so that layers we build have the same diff_ids as crane's.
"""

from containerregistry.archive._header import TarFormat, TarHeader, TarHeaderError, TimeValue
from containerregistry.archive._writer import TarWriteError, TarWriter

__all__ = ["TarFormat", "TarHeader", "TarHeaderError", "TarWriteError", "TarWriter", "TimeValue"]

"""Files that appear whole or not at all.

Every sink that writes a file (tarballs, legacy tarballs, OCI layouts) writes it
under a temporary name beside the target and renames it into place, so an
interrupted or failed write leaves the previous file as it was. A device, FIFO or
socket at the target is written in place instead (never replaced by a file).
"""

from containerregistry.files._atomic import atomic_file, is_special, temp_name, write_atomically

__all__ = ["atomic_file", "is_special", "temp_name", "write_atomically"]

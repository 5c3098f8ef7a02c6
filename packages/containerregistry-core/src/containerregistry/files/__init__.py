"""Files that appear whole or not at all.

Every sink that writes a file (tarballs, legacy tarballs, OCI layouts) writes it
under a temporary name beside the target and renames it into place, so an
interrupted or failed write leaves the previous file as it was.
"""

from containerregistry.files._atomic import atomic_file, temp_name, write_atomically

__all__ = ["atomic_file", "temp_name", "write_atomically"]

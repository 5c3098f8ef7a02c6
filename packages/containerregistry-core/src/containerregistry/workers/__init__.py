"""Worker threads that move blobs: waits that Ctrl-C interrupts, and stopping together.

See :func:`wait`. The jobs themselves call :func:`check` between chunks.
"""

from containerregistry.workers._wait import POLL_SECONDS, Stopped, check, guarded, wait

__all__ = ["POLL_SECONDS", "Stopped", "check", "guarded", "wait"]

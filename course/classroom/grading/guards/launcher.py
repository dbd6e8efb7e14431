"""Guard: the kernel starts with no student-writable directory ahead of the standard library.

``python -I`` ignores PYTHON* variables and the user site and puts neither the script's nor the working
directory on ``sys.path``; ipykernel's own ``init_path`` would then put the working directory (the student's
scratch) first, so it is replaced by one that appends it last. A file called ``ipykernel_launcher.py`` or
``osteonecrosis/__init__.py`` in the scratch can therefore never shadow the real one (and only the
assignment's released data files are copied into the scratch in the first place: see ``guards.files``).
"""

from __future__ import annotations

LAUNCHER = """\
import sys
from ipykernel import kernelapp

def _init_path(self):
    while '' in sys.path:
        sys.path.remove('')
    sys.path.append('')

kernelapp.IPKernelApp.init_path = _init_path
kernelapp.launch_new_instance()
"""


def kernel_argv(python: str) -> list[str]:
    """The kernel command (before sandbox wrapping); ``{connection_file}`` is filled in by jupyter_client."""
    return [python, "-I", "-c", LAUNCHER, "-f", "{connection_file}"]

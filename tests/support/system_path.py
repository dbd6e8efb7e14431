"""Root's system tools (useradd, chpasswd, runuser, groupadd, PostgreSQL's pg_ctl helpers) live in the sbin
folders, which a plain user's PATH (or `env -i PATH=/usr/bin:/bin`) leaves out. The test helpers that start
them look there too. (tools/hub/hub.py, a standalone script, does the same for itself.)"""

from __future__ import annotations

import os

SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")


def add_sbin() -> None:
    """Append the sbin folders missing from this process's PATH (children inherit it)."""
    have = os.environ.get("PATH", "").split(os.pathsep)
    missing = [d for d in SBIN if d not in have]
    if missing:
        os.environ["PATH"] = os.pathsep.join([os.environ.get("PATH", ""), *missing]).strip(os.pathsep)

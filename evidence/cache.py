"""A build's state kept between processes: one file in the cache folder, written atomically, ignored when unusable.

Deleting the cache folder is always safe: the next build renders everything again. A cache
file that cannot be read, is corrupt, or was written by another version of the generator or
for other folders is ignored, never fatal.
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path

from .incremental import Builder, State
from .units import code_version

FORMAT = 1


def state_file(builder: Builder) -> Path:
    return builder.cache_dir / f"{builder.out_dir.absolute().name}.state"


def identity(builder: Builder) -> tuple:
    """What a cache file must have been written for: this generator, these folders."""
    paths = builder.paths
    folders = (paths.content, paths.templates, paths.static, builder.out_dir, builder.cache_dir)
    return (FORMAT, code_version(), *(str(Path(folder).absolute()) for folder in folders))


def restore(builder: Builder) -> bool:
    """Give the builder the state its last successful build saved, if there is a usable one."""
    try:
        data = state_file(builder).read_bytes()
        stored = pickle.loads(data)
    except Exception:  # noqa: BLE001 - missing, unreadable or corrupt: a cache is only ever a shortcut
        return False
    if not isinstance(stored, dict) or stored.get("identity") != identity(builder) or not isinstance(stored.get("state"), State):
        return False
    builder.state = stored["state"]
    builder.state.verified = False  # the output folders may have changed since: compare them first
    return True


def save(builder: Builder) -> None:
    """Write the builder's state so that a crash at any moment leaves the old file or the new one, whole."""
    path = state_file(builder)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pickle.dumps({"identity": identity(builder), "state": builder.state}, protocol=pickle.HIGHEST_PROTOCOL)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)

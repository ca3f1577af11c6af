"""A build's state kept between processes: one file in the cache folder, written atomically, ignored when unusable.

Deleting the cache folder is always safe: the next build renders everything again. A cache
file that cannot be read, is corrupt, or was written by another version of the generator or
for other folders is ignored, never fatal.
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path

from .inputs import code_version

FORMAT = 2


def identity(*folders: Path | None) -> tuple:
    """What a cache file must have been written for: this generator, these folders."""
    return (FORMAT, code_version(), *(str(Path(folder).absolute()) if folder else "-" for folder in folders))


def load(path: Path, expected_identity: tuple, kind: type):
    """The state saved at `path` for this identity, if there is a usable one (an instance of `kind`), else None."""
    try:
        stored = pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - missing, unreadable or corrupt: a cache is only ever a shortcut
        return None
    if not isinstance(stored, dict) or stored.get("identity") != expected_identity or not isinstance(stored.get("state"), kind):
        return None
    return stored["state"]


def save(path: Path, identity_: tuple, state: object) -> None:
    """Write the state so that a crash at any moment leaves the old file or the new one, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pickle.dumps({"identity": identity_, "state": state}, protocol=pickle.HIGHEST_PROTOCOL)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)

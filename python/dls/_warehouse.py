"""Where tables live: the warehouse directory, chosen as the ``dls`` command chooses it."""

from __future__ import annotations

import os
from typing import Optional, Union

WAREHOUSE_ENV = "DLS_WAREHOUSE"


def resolve_warehouse(warehouse: Optional[Union[str, "os.PathLike[str]"]] = None) -> str:
    """The warehouse directory (absolute): ``warehouse`` when given, else ``$DLS_WAREHOUSE`` when
    set and non-empty, else ``./warehouse`` (relative to the current directory, at call time)."""
    if warehouse is None:
        warehouse = os.environ.get(WAREHOUSE_ENV) or "warehouse"
    return os.path.abspath(os.fspath(warehouse))

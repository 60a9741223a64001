"""Numbers the extension takes from LocalStack's environment (STAGEGRAPH_...), with a warning for a value it cannot
use."""
import logging
import math
import os
from collections.abc import Callable

LOG = logging.getLogger(__name__)
# (variable, value) pairs already warned about: a setting read on every batch warns once, not on every read.
_warned: set[tuple[str, str]] = set()


def _warn_once(variable: str, raw: str, message: str, *args: object) -> None:
    if (variable, raw) not in _warned:
        _warned.add((variable, raw))
        LOG.warning(message, *args)


def environment_number(variable: str, default: float, parse: Callable[[str], float] = float, what: str = "a number",
                       minimum: float = 0) -> float:
    """The variable's value parsed by ``parse``; ``default`` when unset or empty, or (with a warning) not ``what`` or
    not finite; ``minimum`` (with a warning) when below it. Each variable and value is warned about once."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        value = parse(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # not a number at all, or nan, inf, 1e999: no sleep or timeout takes them
        _warn_once(variable, raw, "%s=%r is not %s: using %s", variable, raw, what, default)
        return default
    if value < minimum:
        _warn_once(variable, raw, "%s=%r is below %s: using %s", variable, raw, minimum, minimum)
        return minimum
    return value

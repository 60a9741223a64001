"""Numbers the extension takes from LocalStack's environment (STAGEGRAPH_...), with a warning for a value it cannot
use."""
import logging
import os
from collections.abc import Callable

LOG = logging.getLogger(__name__)


def environment_number(variable: str, default: float, parse: Callable[[str], float] = float, what: str = "a number",
                       minimum: float = 0) -> float:
    """The variable's value parsed by ``parse``; ``default`` when unset or empty, or (with a warning) not ``what``;
    ``minimum`` (with a warning) when below it."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        value = parse(raw)
    except ValueError:
        LOG.warning("%s=%r is not %s: using %s", variable, raw, what, default)
        return default
    if value < minimum:
        LOG.warning("%s=%r is below %s: using %s", variable, raw, minimum, minimum)
        return minimum
    return value

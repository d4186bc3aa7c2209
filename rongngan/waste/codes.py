"""Waste codes as people write them: "16 06 01", "160601", "16 06 01*", "16 06 01 HA"."""

import re

_CODE = re.compile(r"^\s*(\d{2})[\s.\-]?(\d{2})[\s.\-]?(\d{2})\s*(\*|HA|HM|H)?\s*$", re.IGNORECASE)
_OPERATION = re.compile(r"^\s*([RD])\s*(\d{1,2})\s*$", re.IGNORECASE)


def normalize_code(raw: object) -> str:
    """Six digits, or ValueError. Markers of hazard (*, HA, HM) are accepted and dropped:
    whether a code is hazardous comes from the list, not from how it was typed."""
    m = _CODE.match(str(raw or ""))
    if not m:
        raise ValueError(f"not a waste code: {raw!r}")
    return "".join(m.group(1, 2, 3))


def display_code(code: str) -> str:
    return " ".join(code[i : i + 2] for i in range(0, len(code), 2))


def normalize_operation(raw: object) -> str:
    m = _OPERATION.match(str(raw or ""))
    if not m:
        raise ValueError(f"not an operation code: {raw!r}")
    return f"{m.group(1).upper()}{int(m.group(2))}"

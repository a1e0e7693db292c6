"""The search-space table's cells as text: a range or a value as the table shows it, and what
the user typed read back (the words the table shows, or a short form). Shared by the Model step
and the choices it keeps with the project (model_choices.py)."""

from __future__ import annotations

import re

from dlstudio.core.errors import DlstudioError
from dlstudio.core.wording import hyperparameter_name, range_words, value_from_words, value_words


def describe_range(entry: dict) -> str:
    """A search-space entry as the table shows it: "0.0001 to 0.01, on a log scale"."""
    return range_words(entry)


def shown_value(value) -> str:
    """A value as the table shows it: ReLU, 0.001, yes."""
    return value_words(value)


_STEP = re.compile(r",?\s*in steps of\s*([^,]+)", re.IGNORECASE)
_LOG = re.compile(r",?\s*(on a log scale|log scale|log)\s*$", re.IGNORECASE)


def parse_range(name: str, entry: dict, text: str) -> dict:
    """Read back what the user typed in the 'Range or choices' cell: the words the table
    shows ("0.0001 to 0.01, on a log scale", "32, 64 or 128", "yes or no") or the short form
    ("0.0001..0.01 log", "32, 64, 128")."""
    kind = entry["type"]
    try:
        if kind in ("int", "float"):
            body, log = text.strip(), False
            found = _LOG.search(body)
            if found:
                body, log = body[: found.start()], True
            parsed = {**entry}
            step = _STEP.search(body)
            if step:
                body = body[: step.start()] + body[step.end() :]
            low, high = (float(part) for part in re.split(r"\.\.|\bto\b", body))
            cast = int if kind == "int" else float
            if step:
                parsed["step"] = cast(float(step.group(1)))
            parsed.update(min=cast(low), max=cast(high), log=log)
            parsed["default"] = min(max(entry.get("default", low), parsed["min"]), parsed["max"])
            return parsed
        if kind in ("choice", "bool"):
            parts = re.split(r",|\bor\b", text)
            values = [parse_value(name, part, entry) for part in parts if part.strip()]
            # The entry's own default stays where the search starts (the known-good value),
            # not whichever value happens to be listed first.
            default = entry.get("default") if entry.get("default") in values else values[0]
            if kind == "bool" and sorted(set(values)) == [False, True]:
                return {**entry, "default": default}  # both: keras-tuner's Boolean says yes/no
            if kind == "bool":  # a choice keras-tuner would read back as 0/1
                return {**entry, "type": "choice", "values": values, "default": default}
            return {**entry, "values": values, "default": default}
    except (ValueError, TypeError, IndexError):
        pass
    raise DlstudioError(
        f"The range of {hyperparameter_name(name)!r} reads {text!r}.",
        "'low to high' for numbers (e.g. '0.0001 to 0.01', optionally followed by "
        "', on a log scale'), or choices like 'a, b or c'",
        "Correct the cell, or untick 'Search it' to hold the value fixed.",
    )


def parse_value(name: str, text: str, entry: dict | None = None):
    """A typed value as the engine's value, of the same type as the entry's own values (a
    list of floats stays floats: keras-tuner refuses a choice of 0 and 0.0001)."""
    if not text.strip():
        raise DlstudioError(
            f"{hyperparameter_name(name)!r} has an empty value.",
            "a number, a word, or yes/no",
            "Type a value.",
        )
    known = list((entry or {}).get("values") or [])
    value = value_from_words(text, known)
    typed = known + [(entry or {}).get(key) for key in ("default", "min", "max", "value")]
    floats = any(isinstance(v, float) for v in typed) or (entry or {}).get("type") == "float"
    if isinstance(value, int) and not isinstance(value, bool) and floats:
        return float(value)
    return value

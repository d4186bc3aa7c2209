"""Steps other apps add to `rongngan seed`, after the factory register is seeded.

An app registers a step in its `seeding.py` with `@seed_step(order)`; the seed command imports
every app's `seeding` module and runs the steps in order, so the register's command does not
need to know the apps that build on it.
"""

from collections.abc import Callable, Sequence
from typing import Any

# step(*, scale, seed, actor, stdout) -> demo logins it made: [(user, what they see)] or None
Step = Callable[..., list[tuple[Any, str]] | None]
_STEPS: list[tuple[int, str, Step]] = []


def seed_step(order: int) -> Callable[[Step], Step]:
    def register(fn: Step) -> Step:
        name = f"{fn.__module__}.{fn.__qualname__}"
        if all(n != name for _, n, _ in _STEPS):
            _STEPS.append((order, name, fn))
        return fn

    return register


def run_steps(*, only: Sequence[str] = (), **kwargs: Any) -> list[tuple[Any, str]]:
    """Runs every step (or only those of the apps named, e.g. "waste", "chemicals"); returns
    the demo logins they made, to print with the others."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("seeding")
    prefixes = tuple(f"rongngan.{app}." for app in only)
    logins: list[tuple[Any, str]] = []
    for _, name, fn in sorted(_STEPS, key=lambda s: (s[0], s[1])):
        if prefixes and not name.startswith(prefixes):
            continue
        logins.extend(fn(**kwargs) or [])
    return logins

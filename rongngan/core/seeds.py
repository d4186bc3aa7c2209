"""Steps other apps add to `rongngan seed`, after the factory register is seeded.

An app registers a step in its `seeding.py` with `@seed_step(order)`; the seed command imports
every app's `seeding` module and runs the steps in order, so the register's command does not
need to know the apps that build on it.
"""

from collections.abc import Callable
from typing import Any

Step = Callable[..., None]  # step(*, scale: str, seed: int, actor: User, stdout: OutputWrapper)
_STEPS: list[tuple[int, str, Step]] = []


def seed_step(order: int) -> Callable[[Step], Step]:
    def register(fn: Step) -> Step:
        name = f"{fn.__module__}.{fn.__qualname__}"
        if all(n != name for _, n, _ in _STEPS):
            _STEPS.append((order, name, fn))
        return fn

    return register


def run_steps(**kwargs: Any) -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("seeding")
    for _, _, fn in sorted(_STEPS, key=lambda s: (s[0], s[1])):
        fn(**kwargs)

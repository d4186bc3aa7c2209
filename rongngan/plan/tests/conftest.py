from pathlib import Path
from typing import Any

import pytest

from rongngan.plan.loader import DEFAULT_PLAN_FILE, load_plan
from rongngan.plan.models import Plan

MINI_PLAN = Path(__file__).parent / "data" / "mini-plan.yaml"


@pytest.fixture
def mini_plan(db: Any) -> Plan:
    """A small plan (TEST-2563-2565): 2 strategies, 3 KPIs, P1, P6 with 2 sub-projects, P16, P7."""
    return load_plan(MINI_PLAN)[0]


@pytest.fixture
def seed_plan(db: Any) -> Plan:
    """The DIW action plan B.E. 2563-2565 as shipped in data/."""
    return load_plan(DEFAULT_PLAN_FILE)[0]

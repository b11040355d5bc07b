"""The `world` fixture is in tests/world.py and the matrices' scene in tests/app/scene.py (root conftest plugins)."""

from __future__ import annotations

from tests.world import World  # noqa: F401

"""The `world` fixture moved to tests/world.py (a plugin of the root conftest); kept importable here."""
from tests.world import World  # noqa: F401

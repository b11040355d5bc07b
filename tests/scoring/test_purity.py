"""app/scoring stays pure: no web framework, no database, no I/O, no clock, no global randomness."""

import ast
import pathlib

import pytest

SCORING = pathlib.Path(__file__).resolve().parents[2] / "app" / "scoring"
ALLOWED_MODULES = {
    "__future__",
    "collections",
    "collections.abc",
    "dataclasses",
    "datetime",
    "functools",
    "math",
    "numbers",
    "operator",
    "types",
    "typing",
    "numpy",
}
FORBIDDEN_CALLS = {"now", "today", "utcnow", "time", "open", "print", "seed", "random"}


@pytest.mark.parametrize("path", sorted(SCORING.glob("*.py")), ids=lambda p: p.name)
def test_module_is_pure(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            assert name in ALLOWED_MODULES or name.startswith("app.scoring"), f"{path.name}: {name}"
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert called not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {called}()"
            # np.random.<anything> other than a seeded generator would use global state.
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "random"
            ):
                assert called == "default_rng", f"{path.name}:{node.lineno} calls random.{called}"

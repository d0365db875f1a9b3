"""The architecture of DESIGN.md, checked by reading the source (each module parsed with `ast`).

1. Dependencies point one way: no app imports another app, and the core (`union_portal`) imports
   no app, except the annual summary (`union_portal/summary/`), which imports each app's
   `figures` and nothing else of it. Tests are exempt.
2. Who sees what is decided in `union_portal.access` only: no app module compares a user's role
   itself (no `Role`, `role_of`, `town_id_of`, `DISTRICT_WIDE`, `EDITORS`, no `staff_profile`).
   Apps use `visible_to`, `can_edit`, `can_edit_records`, `towns_for`, `town_scope` and the like.
   Migrations are exempt (they freeze choices and imports as they were).
3. Every app keeps the standard rooms (models.py, admin.py, forms.py, views.py, urls.py,
   filters.py, resources.py, figures.py, migrations/) as soon as it has a model: an app that is
   still an empty shell has nothing to keep in them yet.
   Extra modules (stations' demo, services, public_urls, media_urls...) are fine.

An app is a top-level package with an `apps.py`, other than the core. Each rule has a negative
test below that runs the checker on a scratch tree under `tmp_path` and sees it fail.
"""

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = "union_portal"
SUMMARY = (CORE, "summary")
ROOMS = ("models.py", "admin.py", "forms.py", "views.py", "urls.py", "filters.py", "resources.py", "figures.py")
ROLE_NAMES = {"Role", "role_of", "town_id_of", "DISTRICT_WIDE", "EDITORS", "staff_profile"}


def apps_in(root: Path) -> list[str]:
    return sorted(p.parent.name for p in root.glob("*/apps.py") if p.parent.name != CORE)


def modules_of(root: Path, package: str):
    """(dotted parts, parsed tree) of every module of `package`."""
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        yield parts, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported(parts: tuple[str, ...], tree: ast.AST) -> set[str]:
    """The dotted modules a module imports, relative imports resolved (`from a import b`: a.b when a is a top level)."""
    package = parts[:-1]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            if "." in module:
                names.add(module)
            else:  # `from stations import figures`, `from .. import stations`: the names may be modules
                names.update(f"{module}.{alias.name}".lstrip(".") for alias in node.names)
    return names


def import_problems(root: Path) -> list[str]:
    apps = apps_in(root)
    problems = []
    for package in [*apps, CORE]:
        for parts, tree in modules_of(root, package):
            for name in sorted(imported(parts, tree)):
                top = name.split(".")[0]
                if top in apps and top != package and not _summary_may_import(parts, name):
                    problems.append(f"{'.'.join(parts)} imports {name}")
    return problems


def _summary_may_import(parts: tuple[str, ...], name: str) -> bool:
    """The annual summary composes the apps' figures: it may import `<app>.figures` and nothing else of an app."""
    app = name.split(".")[0]
    return parts[: len(SUMMARY)] == SUMMARY and (name == f"{app}.figures" or name.startswith(f"{app}.figures."))


def role_problems(root: Path) -> list[str]:
    problems = []
    for app in apps_in(root):
        for parts, tree in modules_of(root, app):
            if "migrations" in parts:
                continue
            for node in ast.walk(tree):
                used = _role_name(node)
                if used:
                    problems.append(f"{'.'.join(parts)}:{node.lineno} uses {used}")
    return problems


def _role_name(node: ast.AST) -> str | None:
    """The role-comparing name `node` imports, reads or filters by, if any."""
    if isinstance(node, ast.ImportFrom):
        return next((alias.name for alias in node.names if alias.name in ROLE_NAMES), None)
    if isinstance(node, ast.Name) and node.id in ROLE_NAMES:
        return node.id
    if isinstance(node, ast.Attribute) and node.attr in ROLE_NAMES:
        return node.attr
    if isinstance(node, ast.keyword) and node.arg and node.arg.split("__")[0] in ROLE_NAMES:
        return node.arg
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("staff_profile"):
        return node.value
    return None


def room_problems(root: Path) -> list[str]:
    problems = []
    for app in apps_in(root):
        if not has_a_model(root / app / "models.py"):
            continue
        missing = [room for room in ROOMS if not (root / app / room).is_file()]
        if not (root / app / "migrations" / "__init__.py").is_file():
            missing.append("migrations/")
        problems.extend(f"{app} has models but no {room}" for room in missing)
    return problems


def has_a_model(path: Path) -> bool:
    if not path.is_file():
        return False
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.ClassDef) for node in tree.body)


# --- the project as it is ------------------------------------------------------------------


def test_the_apps_are_found():
    assert {"stations", "disputes", "benefits"} <= set(apps_in(ROOT))


def test_no_app_imports_another_and_the_core_imports_no_app():
    assert import_problems(ROOT) == []


def test_no_app_compares_a_users_role_itself():
    assert role_problems(ROOT) == []


def test_every_app_with_models_has_the_standard_rooms():
    assert room_problems(ROOT) == []


# --- the checker sees each kind of breach (scratch trees) ----------------------------------


def write(root: Path, relative: str, text: str = "") -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_app(root: Path, name: str, *, model: bool = True) -> None:
    write(root, f"{name}/__init__.py")
    write(root, f"{name}/apps.py")
    write(root, f"{name}/migrations/__init__.py")
    for room in ROOMS:
        write(root, f"{name}/{room}")
    if model:
        write(root, f"{name}/models.py", "from django.db import models\n\n\nclass Thing(models.Model):\n    pass\n")


@pytest.fixture
def tree(tmp_path):
    for app in ("stations", "disputes"):
        make_app(tmp_path, app)
    make_app(tmp_path, "benefits", model=False)
    write(tmp_path, f"{CORE}/__init__.py")
    write(tmp_path, f"{CORE}/apps.py")
    write(tmp_path, f"{CORE}/access.py", "class Role:\n    pass\n")
    return tmp_path


def test_a_clean_scratch_tree_passes(tree):
    assert import_problems(tree) == role_problems(tree) == room_problems(tree) == []


@pytest.mark.parametrize(
    "line",
    [
        "from disputes.models import Thing",
        "import disputes.models",
        "from disputes import figures",
        "from ..disputes import models",
    ],
)
def test_an_app_importing_another_app_fails(tree, line):
    write(tree, "stations/views.py", f"{line}\n")
    assert import_problems(tree) and all(p.startswith("stations.views imports disputes") for p in import_problems(tree))


def test_an_app_importing_itself_and_the_core_passes(tree):
    write(tree, "stations/views.py", "from union_portal.access import towns_for\nfrom .models import Thing\n")
    write(tree, "stations/admin.py", "import stations.models\n")
    assert import_problems(tree) == []


def test_the_core_importing_an_app_fails_but_the_summary_may_import_figures(tree):
    write(tree, f"{CORE}/summary/__init__.py")
    write(tree, f"{CORE}/summary/views.py", "from stations.figures import figures\nfrom disputes import figures\n")
    assert import_problems(tree) == []
    write(tree, f"{CORE}/summary/views.py", "from stations.models import Thing\n")
    assert import_problems(tree) == ["union_portal.summary.views imports stations.models"]
    write(tree, f"{CORE}/views.py", "from stations.figures import figures\n")
    assert "union_portal.views imports stations.figures" in import_problems(tree)


@pytest.mark.parametrize(
    "source",
    [
        "from union_portal.access import Role",
        "from union_portal.access import role_of, town_id_of",
        "from union_portal.access import DISTRICT_WIDE",
        "from union_portal import access\nx = access.role_of(None)",
        "def f(user):\n    return user.staff_profile.town_id",
        "def f(users):\n    return users.exclude(staff_profile__role='leadership')",
    ],
)
def test_an_app_comparing_a_role_fails(tree, source):
    write(tree, "disputes/forms.py", source + "\n")
    problems = role_problems(tree)
    assert problems and all(p.startswith("disputes.forms:") for p in problems)


def test_helpers_of_the_core_and_migrations_pass(tree):
    write(tree, "disputes/forms.py", "from union_portal.access import can_edit, default_town, towns_for\n")
    write(tree, "disputes/migrations/0001_initial.py", "from union_portal.access import Role\n")
    assert role_problems(tree) == []


def test_an_app_lacking_a_room_fails(tree):
    (tree / "stations" / "filters.py").unlink()
    shutil.rmtree(tree / "disputes" / "migrations")
    assert room_problems(tree) == ["disputes has models but no migrations/", "stations has models but no filters.py"]


def test_an_empty_app_needs_no_rooms_until_it_has_a_model(tree):
    (tree / "benefits" / "views.py").unlink()
    assert room_problems(tree) == []
    write(tree, "benefits/models.py", "class HardshipFile:\n    pass\n")
    assert room_problems(tree) == ["benefits has models but no views.py"]


def test_a_bad_import_in_a_copy_of_the_real_tree_is_found(tmp_path):
    """The checker reads the real modules: a copy of them with one breach added fails on just that."""
    for package in [*apps_in(ROOT), CORE]:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    views = tmp_path / "stations" / "views.py"
    views.write_text(views.read_text(encoding="utf-8") + "\nfrom disputes.models import Case  # noqa\n")
    forms = tmp_path / "disputes" / "forms.py"
    forms.write_text(forms.read_text(encoding="utf-8") + "\nfrom union_portal.access import role_of  # noqa\n")
    assert import_problems(tmp_path) == ["stations.views imports disputes.models"]
    assert [p.split(":")[0] for p in role_problems(tmp_path)] == ["disputes.forms"]

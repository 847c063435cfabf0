"""Check what ``make dist`` built: the sdist and the wheel hold what they should and no junk.

Usage: ``python scripts/check_dist.py DIST_DIR``. Exits with 1 and lists every problem.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

# Files the source distribution must hold (relative to its top directory).
SDIST_REQUIRED = {
    "PKG-INFO",
    "setup.cfg",
    "pyproject.toml",
    "LICENSE",
    "README.md",
    "README.pypi.md",
    "SECURITY.md",
    "flask_crossorigin/__init__.py",
    "flask_crossorigin/py.typed",
}
# Top-level directories the source distribution may hold.
SDIST_DIRS = {"flask_crossorigin", "flask_crossorigin.egg-info"}
# Names that never belong in a distribution, at any depth.
JUNK_PARTS = {"__pycache__", ".venv", ".git", ".pytest_cache", ".mypy_cache", ".hypothesis"}
JUNK_SUFFIXES = (".pyc", ".pyo", ".orig", ".rej", ".swp", "~")


def junk(path: PurePosixPath) -> bool:
    return bool(JUNK_PARTS & set(path.parts)) or path.name.endswith(JUNK_SUFFIXES)


def check_sdist(sdist: Path) -> list[str]:
    problems = []
    with tarfile.open(sdist) as archive:
        names = [PurePosixPath(m.name) for m in archive.getmembers() if m.isfile()]
    top = {name.parts[0] for name in names}
    if len(top) != 1:
        return [f"{sdist.name}: more than one top directory: {sorted(top)}"]
    inner = [PurePosixPath(*name.parts[1:]) for name in names]
    present = {str(name) for name in inner}
    problems += [f"{sdist.name}: missing {name}" for name in sorted(SDIST_REQUIRED - present)]
    for name in inner:
        if junk(name):
            problems.append(f"{sdist.name}: junk {name}")
        elif len(name.parts) > 1 and name.parts[0] not in SDIST_DIRS:
            problems.append(f"{sdist.name}: unexpected {name} (MANIFEST.in prunes it)")
    return problems


def check_wheel(wheel: Path) -> list[str]:
    problems = []
    with zipfile.ZipFile(wheel) as archive:
        names = [PurePosixPath(name) for name in archive.namelist()]
    present = {str(name) for name in names}
    for required in ("flask_crossorigin/__init__.py", "flask_crossorigin/py.typed"):
        if required not in present:
            problems.append(f"{wheel.name}: missing {required}")
    for name in names:
        if junk(name):
            problems.append(f"{wheel.name}: junk {name}")
        elif name.parts[0] not in (
            "flask_crossorigin",
            "pytest_flask_crossorigin.py",
        ) and not name.parts[0].endswith(".dist-info"):
            problems.append(f"{wheel.name}: unexpected {name}")
    return problems


def main(argv: list[str]) -> int:
    dist = Path(argv[1] if len(argv) > 1 else "dist")
    sdists = sorted(dist.glob("*.tar.gz"))
    wheels = sorted(dist.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        print(f"check_dist: expected one sdist and one wheel in {dist}, found {sdists + wheels}")
        return 1
    problems = check_sdist(sdists[0]) + check_wheel(wheels[0])
    for problem in problems:
        print(f"check_dist: {problem}")
    if not problems:
        print(f"check_dist: {sdists[0].name} and {wheels[0].name}: contents ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

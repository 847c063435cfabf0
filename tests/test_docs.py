"""The README, the package index's description and the docs work as written on a fresh clone.

- Every Python code block (``.. code-block:: python`` and ``.. testcode::`` in ``docs/*.rst``,
  fenced ``python`` blocks in the READMEs) runs alone, pasted into a new interpreter; a block
  followed by ``.. testoutput::`` prints that output alone too. A block that is a fragment on
  purpose says so just above it: ``.. fragment: why`` in rst, ``<!-- fragment: why -->`` in
  Markdown.
- Every console line names the virtual environment's executables (``.venv/bin/flask``), a
  ``make`` target, or an environment variable.
- The ``flask cors routes`` sample of docs/cli.rst is the command's output.
- ``make`` with no target lists the targets; ``make clean`` leaves a fresh clone.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest
from flask import Flask

from flask_crossorigin import CORS, cross_origin
from flask_crossorigin.decorator import view_label

ROOT = Path(__file__).parents[1]
MARKDOWN = [ROOT / "README.md", ROOT / "README.pypi.md"]
RST = sorted((ROOT / "docs").glob("*.rst"))


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    code: str
    output: Optional[str]  # what a following ``.. testoutput::`` shows
    fragment: Optional[str]  # why it is not meant to run alone

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _indented(lines: list[str], start: int) -> tuple[str, int]:
    """The body of the rst directive whose options start at ``lines[start]``: its indented
    lines, dedented, and the index of the first line after it."""
    index = start
    while index < len(lines) and lines[index].strip().startswith(":"):
        index += 1  # directive options
    body: list[str] = []
    while index < len(lines) and (not lines[index].strip() or lines[index].startswith(" ")):
        body.append(lines[index])
        index += 1
    while body and not body[-1].strip():
        body.pop()
    while body and not body[0].strip():
        body.pop(0)
    indent = min(len(line) - len(line.lstrip()) for line in body if line.strip())
    return "\n".join(line[indent:] for line in body) + "\n", index


def _rst_fragment(lines: list[str], index: int) -> Optional[str]:
    """The reason of a ``.. fragment: why`` comment just above ``lines[index]``."""
    above = index - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    match = re.fullmatch(r"\s*\.\. fragment: (.+)", lines[above]) if above >= 0 else None
    return match.group(1) if match else None


def rst_blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    for index, line in enumerate(lines):
        if not re.fullmatch(r"\s*\.\. (code-block:: python|testcode::)\s*", line):
            continue
        code, after = _indented(lines, index + 1)
        output = None
        following = after
        while following < len(lines) and not lines[following].strip():
            following += 1
        if following < len(lines) and lines[following].strip() == ".. testoutput::":
            output, _ = _indented(lines, following + 1)
        blocks.append(Block(path, index + 1, code, output, _rst_fragment(lines, index)))
    return blocks


def markdown_blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"(?:<!-- fragment: (.+?) -->\n)?```python\n(.*?)```", text, re.S):
        line = text.count("\n", 0, match.start(2))
        blocks.append(Block(path, line, match.group(2), None, match.group(1)))
    return blocks


BLOCKS = [b for path in MARKDOWN for b in markdown_blocks(path)] + [
    b for path in RST for b in rst_blocks(path)
]


def test_blocks_are_found() -> None:
    """Issue item: the collector sees the README's and the docs' blocks, and fragments are few."""
    names = {b.path.name for b in BLOCKS}
    assert {"README.md", "README.pypi.md", "quickstart.rst", "restx.rst"} <= names
    assert len(BLOCKS) >= 15
    assert len([b for b in BLOCKS if b.fragment]) <= 3


def _clean_env() -> dict[str, str]:
    """The environment without FLASK_* variables, which a block's output would depend on,
    with this checkout importable (where the package is not installed, as on the oldest
    supported stack)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.mark.parametrize("block", [b for b in BLOCKS if not b.fragment], ids=lambda b: b.name)
def test_python_block_runs_alone(block: Block, tmp_path: Path) -> None:
    """Issue item: every Python block of the README and docs runs pasted alone into a new
    interpreter (in an empty directory), and prints what its ``testoutput`` shows. A block
    whose framework is not installed (flask-smorest, APIFlask, flask-restx on the oldest
    supported stack) is skipped with its name."""
    imported = re.findall(r"^(?:from|import) (\w+)", block.code, re.M)
    missing = sorted({name for name in imported if importlib.util.find_spec(name) is None})
    if missing:
        pytest.skip(f"{block.name} needs {', '.join(missing)}")
    result = subprocess.run(
        [sys.executable, "-c", block.code],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{block.name}:\n{result.stderr}"
    if block.output is not None:
        printed = [line.rstrip() for line in result.stdout.strip().splitlines()]
        shown = [line.rstrip() for line in block.output.strip().splitlines()]
        assert printed == shown, block.name


CONSOLE_COMMAND = re.compile(
    r"\.venv/bin/\S+ .*"  # the virtual environment's executables
    r"|python3 -m venv \.venv"
    r"|\. \.venv/bin/activate"
    r"|([A-Z_]+=\S+ )*make( [a-z-]+)?( +#.*)?"  # make targets, with variables
    r"|export [A-Z_]+=.*"
    r"|pip install flask-crossorigin"  # the package index's readers, in their own venv
    r"|aws [a-z0-9-]+ [a-z-]+ .*"  # the AWS CLI, on the deployment pages (an AWS account's)
)


def console_commands(path: Path) -> list[tuple[int, str]]:
    """The ``$ `` lines of console blocks (rst ``code-block:: console``, Markdown ``console``)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        bodies = [
            (text.count("\n", 0, m.start(1)), m.group(1))
            for m in re.finditer(r"```console\n(.*?)```", text, re.S)
        ]
    else:
        lines = text.splitlines()
        bodies = []
        for index, line in enumerate(lines):
            if re.fullmatch(r"\s*\.\. code-block:: console\s*", line):
                bodies.append((index + 1, _indented(lines, index + 1)[0]))
    commands = []
    for first, body in bodies:
        for offset, line in enumerate(body.splitlines()):
            if line.startswith("$ "):
                commands.append((first + offset + 1, line[2:]))
    return commands


def test_console_lines_name_the_venv_executables() -> None:
    """Issue item: a console line that runs flask or python names the virtual environment's
    executable (a bare ``flask`` finds no ``cors`` command, or not the example's packages)."""
    commands = [(p, n, c) for p in [*MARKDOWN, *RST] for n, c in console_commands(p)]
    assert len(commands) >= 15
    wrong = [
        f"{p.relative_to(ROOT)}:{n}: {c}"
        for p, n, c in commands
        if not CONSOLE_COMMAND.fullmatch(c.rstrip("\\").strip())
    ]
    assert wrong == []


def routes_sample() -> list[str]:
    lines = (ROOT / "docs" / "cli.rst").read_text(encoding="utf-8").splitlines()
    start = lines.index("   $ .venv/bin/flask --app example_app cors routes") + 1
    sample = []
    for line in lines[start:]:
        if not line.startswith("   "):
            break
        sample.append(line[3:])
    return sample


def test_routes_sample_is_the_real_output(tmp_path: Path) -> None:
    """Issue item: the ``flask cors routes`` sample of docs/cli.rst is the example app's
    output: its first and last lines, and each run between ``...`` lines, as printed."""
    from example_app import create_app

    app = create_app({"DATABASE": str(tmp_path / "todos.sqlite")})
    output = app.test_cli_runner().invoke(args=["cors", "routes"]).output.splitlines()
    sample = routes_sample()
    assert "..." in sample and "<locals>" not in "\n".join(sample)
    runs: list[list[str]] = [[]]
    for line in sample:
        if line == "...":
            runs.append([])
        else:
            runs[-1].append(line)
    assert output[: len(runs[0])] == runs[0]
    assert output[-len(runs[-1]) :] == runs[-1]
    position = 0
    for run in runs:
        found = next(
            (i for i in range(position, len(output)) if output[i : i + len(run)] == run), None
        )
        assert found is not None, run[0]
        position = found + len(run)


def test_a_nested_view_is_named_by_its_own_name() -> None:
    """Issue item: ``flask cors routes`` and logs name a view defined in a function by its
    name, not ``register.<locals>.ping``; a method keeps its class."""

    def register(app: Flask) -> None:
        @app.get("/ping")
        @cross_origin(origins="*")
        def ping() -> str:
            return "pong"

    class Views:
        def method(self) -> str:
            return "x"

    app = Flask("nested")
    CORS(app, resources={})
    register(app)
    assert view_label(app.view_functions["ping"]) == "ping"
    assert view_label(Views.method) == "Views.method"
    result = app.test_cli_runner().invoke(args=["cors", "routes"])
    assert "/ping  [GET]  covered by @cross_origin on ping\n" in result.output


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")

#: The environment for a make of our own: without what an enclosing make (the test matrix
#: runs this suite under ``make -j``) passes down, which changes what make prints.
MAKE_ENV = {
    k: v
    for k, v in os.environ.items()
    if k
    not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "MAKE_TERMOUT", "MAKE_TERMERR")
}


@needs_make
def test_bare_make_lists_every_target() -> None:
    """Issue item: a bare ``make`` prints the help, one line for each target."""
    bare = subprocess.run(
        ["make", "-s"], cwd=ROOT, env=MAKE_ENV, capture_output=True, text=True, timeout=60
    )
    helped = subprocess.run(
        ["make", "-s", "help"], cwd=ROOT, env=MAKE_ENV, capture_output=True, text=True, timeout=60
    )
    assert bare.returncode == 0 and bare.stdout == helped.stdout
    phony = re.search(r"^\.PHONY: (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert phony is not None
    listed = {line.split()[0] for line in bare.stdout.splitlines()[1:]}
    assert listed == set(phony.group(1).split())


@needs_make
def test_make_clean_leaves_a_fresh_clone(tmp_path: Path) -> None:
    """Issue item: ``make clean`` removes what installs, builds, tests and the demo leave."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    left = [
        ".venv/bin",
        ".venv-oldest",
        "build/lib",
        "dist",
        "flask_crossorigin.egg-info",
        ".cache/flask-cors",
        "instance",
        "docs/_build/html",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".hypothesis",
        "flask_crossorigin/__pycache__",
    ]
    for name in left:
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "file").write_text("x")
    (tmp_path / ".coverage").write_text("x")
    (tmp_path / "flask_crossorigin" / "kept.py").write_text("x")
    result = subprocess.run(
        ["make", "-s", "clean"],
        cwd=tmp_path,
        env=MAKE_ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    remaining = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert remaining == ["Makefile", "docs", "flask_crossorigin", "flask_crossorigin/kept.py"]


def test_package_index_description_links_are_absolute() -> None:
    """Issue item: the package index's description has absolute links and no development
    notes (the index cannot follow a link into the repository)."""
    text = (ROOT / "README.pypi.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)", text) + re.findall(r"^- \w[\w ]*: (\S+)$", text, re.M)
    assert len(targets) >= 5
    assert [t for t in targets if not t.startswith("https://")] == []
    assert not re.search(r"make |\.venv|PyPI yet|checkout", text)


def _write_sdist(path: Path, names: list[str]) -> None:
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as archive:
        for name in names:
            info = tarfile.TarInfo(f"flask_crossorigin-0.1.0/{name}")
            info.size = 1
            archive.addfile(info, io.BytesIO(b"x"))


def _write_wheel(path: Path, names: list[str]) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "x")


def test_check_dist_names_junk_and_missing_files(tmp_path: Path) -> None:
    """Issue item: ``make dist``'s content check passes the expected files and names a stray
    test file, a bytecode file and a missing file, in the sdist and the wheel."""
    script = str(ROOT / "scripts" / "check_dist.py")
    good = [
        "PKG-INFO", "setup.cfg", "pyproject.toml", "LICENSE", "README.md", "README.pypi.md",
        "SECURITY.md", "flask_crossorigin/__init__.py", "flask_crossorigin/py.typed",
    ]  # fmt: skip
    wheel = [
        "flask_crossorigin/__init__.py",
        "flask_crossorigin/py.typed",
        "pytest_flask_crossorigin.py",  # the pytest plugin, a module of its own
        "x.dist-info/RECORD",
    ]
    _write_sdist(tmp_path / "flask_crossorigin-0.1.0.tar.gz", good)
    _write_wheel(tmp_path / "flask_crossorigin-0.1.0-py3-none-any.whl", wheel)
    ok = subprocess.run([sys.executable, script, str(tmp_path)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout
    bad_sdist = [*good[1:], "tests/test_x.py", "flask_crossorigin/__pycache__/x.cpython-311.pyc"]
    _write_sdist(tmp_path / "flask_crossorigin-0.1.0.tar.gz", bad_sdist)
    _write_wheel(tmp_path / "flask_crossorigin-0.1.0-py3-none-any.whl", [*wheel, "tests/t.py"])
    bad = subprocess.run([sys.executable, script, str(tmp_path)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "missing PKG-INFO" in bad.stdout
    assert "unexpected tests/test_x.py" in bad.stdout
    assert "junk flask_crossorigin/__pycache__/x.cpython-311.pyc" in bad.stdout
    assert "-any.whl: unexpected tests/t.py" in bad.stdout


@needs_make
@pytest.mark.parametrize("library", ["flask-cors", ""])
def test_demo_installs_flask_cors_when_asked(library: str, tmp_path: Path) -> None:
    """Issue item: ``FLASK_EXAMPLE_CORS_LIBRARY=flask-cors make demo`` installs flask-cors
    (the extra ``example-flask-cors``) before it starts; the default demo does not."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    extra = config["options.extras_require"]["example-flask-cors"].split()
    assert "flask-cors==6.0.5" in extra and "flask-restx>=1.3" in extra
    env = {**_clean_env(), "FLASK_EXAMPLE_CORS_LIBRARY": library}
    env = {k: v for k, v in env.items() if k in MAKE_ENV or k not in os.environ}
    dry = subprocess.run(
        ["make", "-n", "-B", "demo", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry.returncode == 0, dry.stderr
    assert ("'.[example-flask-cors]'" in dry.stdout) == (library == "flask-cors")
    assert dry.stdout.rstrip().endswith("-m example_app.demo")


def test_collector_reads_options_outputs_and_fragment_marks(tmp_path: Path) -> None:
    """Issue item: the collector takes a block's code without its directive options, the
    ``testoutput`` that follows it, and a ``.. fragment:`` mark above it (Markdown too)."""
    page = tmp_path / "page.rst"
    page.write_text(
        "Title\n=====\n\n"
        ".. testcode::\n   :hide:\n\n   print(1)\n\n   print(2)\n\n"
        ".. testoutput::\n\n   1\n   2\n\n"
        ".. fragment: keyword arguments only\n\n"
        ".. code-block:: python\n\n   CORS_ORIGINS=['https://a.example'],\n\n"
        ".. code-block:: text\n\n   not python\n",
        encoding="utf-8",
    )
    first, second = rst_blocks(page)
    assert (first.code, first.output, first.fragment) == ("print(1)\n\nprint(2)\n", "1\n2\n", None)
    assert (second.output, second.fragment) == (None, "keyword arguments only")
    readme = tmp_path / "README.md"
    readme.write_text(
        "```python\nx = 1\n```\n\n<!-- fragment: a piece -->\n```python\ny\n```\n", encoding="utf-8"
    )
    whole, piece = markdown_blocks(readme)
    assert (whole.code, whole.fragment, piece.fragment) == ("x = 1\n", None, "a piece")

"""Rewrite imports (and dotted names, file paths) after modules moved: `tools/module_moves.txt`.

    python tools/rewrite_imports.py                # rewrite the default trees in place
    python tools/rewrite_imports.py --move         # first `git mv` the files still at an old path
    python tools/rewrite_imports.py --check        # list what would change, change nothing (exit 1)
    python tools/rewrite_imports.py PATH ...       # only these files / folders

Idempotent: a name already at its new place is left alone, so it can run again after every merge
of a branch written against the old layout. What it rewrites:
- `from pkg import mod` where `pkg.mod` moved (`from new_pkg import new_mod as mod`: the local
  name is kept, so the code below the import is untouched);
- `from old.module import a, b` (and parenthesised lists), names moved out of a module included;
- any dotted name (`skailan.inbox.actions.clock`, `mock.patch` targets, `lazy_module("…")`, docs);
- file paths (`layers/skailan/skailan/inbox/actions.py`, `skailan/inbox/actions.py`, and
  `inbox/actions.py` read from `skailan/`).
Then `ruff check --select I --fix` sorts the imports of the files it changed. A moved name read
through a module (`agents.handler_member`) is not rewritten: it is listed as "check by hand".
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MOVES = ROOT / "tools" / "module_moves.txt"
DEFAULT_PATHS = ("layers", "functions", "infra", "bench", "tests", "tools", "docs", "README.md",
                 "template.yaml", "Makefile", "pyproject.toml")
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".json", ".cfg", ".ini"}
SKIP_PARTS = {".venv", "node_modules", ".git", "__pycache__", ".aws-sam", ".mypy_cache", ".ruff_cache"}
SKIP_FILES = {MOVES, Path(__file__).resolve(), ROOT / "docs" / "architecture" / "conversations.md"}  # names old paths

DOTTED = re.compile(r"(?<![\w.])(?:skailan|infra)(?:\.[A-Za-z_]\w*)+(?![\w.]|[ \t]+import\b)")
PATHS = re.compile(r"(?<![\w/])(?:layers/skailan/)?(?:skailan|infra)(?:/\w+)+\.py\b")
SHORT_PATHS = re.compile(r"(?<![\w/.])(?:\w+/)+\w+\.py\b")  # `inbox/actions.py`: relative to skailan/
FROM_IMPORT = re.compile(
    r"^(?P<indent>[ \t]*)from[ \t]+(?P<module>(?:skailan|infra)(?:\.\w+)*)[ \t]+import[ \t]+"
    r"(?:\((?P<group>[^)]*)\)|(?P<names>[^\n#(]+?))[ \t]*(?P<comment>#[^\n]*)?$",
    re.MULTILINE,
)


@dataclass
class Moves:
    modules: dict[str, str] = field(default_factory=dict)  # old module -> new module
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (module, name) -> new module

    @classmethod
    def read(cls, path: Path) -> Moves:
        moves = cls()
        for number, raw in enumerate(path.read_text().splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 2:
                sys.exit(f"{path}:{number}: expected `old new`, got {raw!r}")
            old, new = parts
            if ":" in old:
                module, name = old.split(":", 1)
                moves.names[(module, name)] = new
            else:
                moves.modules[old] = new
        # A name moved out of a module moves out of that module's new place too.
        for (module, name), new in list(moves.names.items()):
            if module in moves.modules:
                moves.names.setdefault((moves.modules[module], name), new)
        return moves

    @property
    def targets(self) -> set[str]:
        return set(self.modules.values()) | set(self.names.values())

    def module(self, dotted: str) -> str:
        """A module's new name (itself when it did not move)."""
        return self.modules.get(dotted, dotted)

    def name_home(self, module: str, name: str) -> str:
        """Where `from module import name` must import `name` from now."""
        module = self.module(module)
        return self.names.get((module, name), module)

    def dotted(self, text: str) -> str:
        """`skailan.inbox.actions.clock.now` → `skailan.conversations.inbox.actions.clock.now`."""
        parts = text.split(".")
        targets = self.targets
        for cut in range(len(parts), 0, -1):
            head = ".".join(parts[:cut])
            if head in targets and head not in self.modules:
                new_head = head  # already at its new place
            elif head in self.modules:
                new_head = self.modules[head]
            else:
                continue
            rest = parts[cut:]
            if rest and (new_head, rest[0]) in self.names:
                new_head = self.names[(new_head, rest[0])]
            return ".".join([new_head, *rest])
        return text


def module_of_path(path: str) -> tuple[str, str]:
    """`layers/skailan/skailan/inbox/x.py` → (`skailan.inbox.x`, `layers/skailan/`)."""
    prefix = "layers/skailan/" if path.startswith("layers/skailan/") else ""
    dotted = path[len(prefix):].removesuffix(".py").replace("/", ".")
    return dotted.removesuffix(".__init__"), prefix


def path_of_module(dotted: str, *, layer_prefix: bool = True) -> str:
    relative = dotted.replace(".", "/") + ".py"
    return f"layers/skailan/{relative}" if layer_prefix and dotted.startswith("skailan.") else relative


def rewrite_from_imports(source: str, moves: Moves) -> str:
    def replace(match: re.Match[str]) -> str:
        module = match["module"]
        body = match["group"] if match["group"] is not None else match["names"]
        body = re.sub(r"#[^\n]*", "", body)
        entries = [entry.strip() for entry in body.replace("\n", " ").split(",") if entry.strip()]
        if not entries or any(entry == "*" for entry in entries):
            return match[0]
        groups: dict[str, list[str]] = {}
        changed = False
        for entry in entries:
            name, _, alias = (part.strip() for part in entry.partition(" as "))
            local = alias or name
            submodule = f"{module}.{name}"
            if submodule in moves.targets:  # already at its new place
                groups.setdefault(module, []).append(entry)
                continue
            if submodule in moves.modules:  # `from pkg import mod` where pkg.mod moved
                new = moves.modules[submodule]
                parent, _, new_name = new.rpartition(".")
                groups.setdefault(parent, []).append(new_name if new_name == local else f"{new_name} as {local}")
                changed = True
                continue
            home = moves.name_home(module, name)
            changed |= home != module
            groups.setdefault(home, []).append(entry)
        if not changed:
            return match[0]
        indent, comment = match["indent"], match["comment"]
        lines = []
        for home, names in groups.items():
            line = f"{indent}from {home} import {', '.join(names)}"
            if len(line) > 110:
                inner = "".join(f"{indent}    {name},\n" for name in names)
                line = f"{indent}from {home} import (\n{inner}{indent})"
            lines.append(line)
        if comment:
            lines[0] = f"{lines[0]}  {comment}"
        return "\n".join(lines)

    return FROM_IMPORT.sub(replace, source)


def rewrite_text(text: str, moves: Moves) -> str:
    text = rewrite_from_imports(text, moves)  # in docs' code blocks too
    text = DOTTED.sub(lambda match: moves.dotted(match[0]), text)

    def replace_path(match: re.Match[str]) -> str:
        dotted, prefix = module_of_path(match[0])
        new = moves.dotted(dotted)
        if new == dotted:
            return match[0]
        if match[0].endswith("/__init__.py"):
            return match[0]
        return path_of_module(new, layer_prefix=bool(prefix)) if new.startswith("skailan.") else path_of_module(new)

    text = PATHS.sub(replace_path, text)

    def replace_short_path(match: re.Match[str]) -> str:
        new = moves.modules.get(f"skailan.{match[0].removesuffix('.py').replace('/', '.')}")
        if new is None:
            return match[0]
        return path_of_module(new.removeprefix("skailan."), layer_prefix=False)

    return SHORT_PATHS.sub(replace_short_path, text)


def moved_attribute_uses(text: str, moves: Moves) -> list[str]:
    """`agents.handler_member(...)` after `from skailan.conversations.inbox import agents`: a name
    read through a module alias cannot be rewritten safely (the module still exists) — listed."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    moved_from = {module for module, _ in moves.names}
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                module = moves.module(f"{node.module}.{alias.name}")
                if module in moved_from:
                    aliases[alias.asname or alias.name] = module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                module = moves.module(alias.name)
                if module in moved_from and alias.asname:
                    aliases[alias.asname] = module
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and (aliases[node.value.id], node.attr) in moves.names):
            new = moves.names[(aliases[node.value.id], node.attr)]
            found.append(f"{node.lineno}: {node.value.id}.{node.attr} (now in {new})")
    return sorted(set(found), key=lambda line: int(line.split(":")[0]))


def files_under(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        for candidate in candidates:
            if (candidate.is_file() and candidate.suffix in SUFFIXES and candidate.resolve() not in SKIP_FILES
                    and not SKIP_PARTS.intersection(candidate.parts)):
                found.append(candidate)
    return found


def git_moves(moves: Moves) -> list[str]:
    """`git mv` every moved module still at its old path; new packages get an `__init__.py`."""
    done = []
    for old, new in sorted(moves.modules.items()):
        source, target = ROOT / path_of_module(old), ROOT / path_of_module(new)
        if not source.exists() or target.exists():
            continue
        package = target.parent
        missing = []
        while not package.exists():
            missing.append(package)
            package = package.parent
        for folder in reversed(missing):
            folder.mkdir()
            if new.startswith("skailan."):
                init = folder / "__init__.py"
                init.write_text(f'"""{folder.name}."""\n')
                subprocess.run(["git", "add", str(init)], cwd=ROOT, check=True)  # noqa: S603, S607
        subprocess.run(["git", "mv", str(source), str(target)], cwd=ROOT, check=True)  # noqa: S603, S607
        done.append(f"{old} -> {new}")
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--moves", type=Path, default=MOVES)
    parser.add_argument("--move", action="store_true", help="git mv the files still at an old path first")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if something would change")
    args = parser.parse_args()
    moves = Moves.read(args.moves)
    if args.move and not args.check:
        for line in git_moves(moves):
            print(f"moved {line}")
    paths = args.paths or [ROOT / name for name in DEFAULT_PATHS if (ROOT / name).exists()]
    changed: list[Path] = []
    to_check: list[str] = []
    for path in files_under(paths):
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        new = rewrite_text(text, moves)
        if path.suffix == ".py":
            to_check += [f"{path}:{use}" for use in moved_attribute_uses(new, moves)]
        if new != text:
            changed.append(path)
            if not args.check:
                path.write_text(new)
    for path in changed:
        shown = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
        print(f"{'would rewrite' if args.check else 'rewrote'} {shown}")
    for line in to_check:
        print(f"check by hand: {line}")
    python_files = [str(path) for path in changed if path.suffix == ".py"]
    if python_files and not args.check:
        ruff = ROOT / ".venv" / "bin" / "ruff"
        subprocess.run(  # noqa: S603
            [str(ruff) if ruff.exists() else "ruff", "check", "--select", "I", "--fix", "--quiet", *python_files],
            cwd=ROOT, check=False,
        )
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Which of the repository's files make the Space: what it needs, minus what git ignores, and a clear
explanation for each required file that is missing. hub.py uploads them; static_space.py reads .gitignore alike.
"""
import subprocess
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

MODEL_FILENAME = "cnn_model_v2.h5"
METRICS_FILENAME = "metrics.json"
NOTEBOOK = "CNN_Model_Training.ipynb"

# What the Space runs and shows; everything else in the checkout (tests, benchmarks, CI) stays home.
SPACE_TOP_LEVEL_FILES = (
    "app.py",
    MODEL_FILENAME,
    METRICS_FILENAME,
    "requirements.txt",
    "README.md",
    NOTEBOOK,
)
SPACE_FOLDERS = ("digit_recognizer", "examples", "docs")  # docs: the README's screenshots
# Without these the Space cannot start (or, for the metrics, cannot show what the model scores).
SPACE_REQUIRED_FILES = ("app.py", "requirements.txt", "README.md", METRICS_FILENAME, MODEL_FILENAME)
# Caches and virtualenvs are never uploaded, even when .gitignore forgets them. Hidden names
# (.git, .venv, .pytest_cache, .hypothesis, .gradio, .ipynb_checkpoints, .DS_Store) are
# excluded as a rule.
NEVER_UPLOADED_NAMES = {"__pycache__", "venv"}

HOW_TO_REGENERATE = {
    MODEL_FILENAME: f"train it by running {NOTEBOOK} (it saves {MODEL_FILENAME} at the repository root)",
    METRICS_FILENAME: f"run {NOTEBOOK} (it writes {METRICS_FILENAME} after evaluating the model)",
}


def space_files(root: Path) -> list[Path]:
    """The files (relative to `root`) that the Space needs, minus anything .gitignore ignores."""
    candidates = not_ignored_files(root)
    return sorted((path for path in candidates if is_space_file(path)), key=lambda path: path.as_posix())


def is_space_file(relative: Path) -> bool:
    """Whether a path relative to the repository root belongs in the Space."""
    parts = PurePosixPath(relative.as_posix()).parts
    if any(part.startswith(".") or part in NEVER_UPLOADED_NAMES for part in parts):
        return False
    if len(parts) == 1:
        return parts[0] in SPACE_TOP_LEVEL_FILES
    if parts[0] == "digit_recognizer":
        return len(parts) == 2 and parts[1].endswith(".py")
    return parts[0] == "examples"


def not_ignored_files(root: Path, files: tuple[str, ...] = SPACE_TOP_LEVEL_FILES,
                      folders: tuple[str, ...] = SPACE_FOLDERS) -> list[Path]:
    """The `files` and the files in `folders` (by default, the Space's candidates) under `root` that git would not
    ignore, relative to `root`.

    In a git checkout git itself answers (`ls-files --cached --others --exclude-standard`), so
    nested .gitignore files, .git/info/exclude and the global excludes all count, exactly as for
    a commit. Outside git (a downloaded zip, a Colab copy), a small matcher reads the root
    .gitignore: it covers the common syntax (globs, `/` anchoring, trailing `/`, `!`, `**/`).
    """
    pathspecs = [*files, *folders]
    try:
        listing = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *pathspecs],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):  # no git, or not a git checkout
        patterns = gitignore_patterns(root / ".gitignore")
        return [path for path in candidate_files(root, files, folders) if not is_ignored(path, patterns)]
    # --cached still lists files deleted from the working tree, and lists a file once per merge stage.
    listed = {Path(name) for name in listing.decode().split("\0") if name}
    return [path for path in listed if (root / path).is_file()]


def candidate_files(root: Path, files: tuple[str, ...] = SPACE_TOP_LEVEL_FILES,
                    folders: tuple[str, ...] = SPACE_FOLDERS) -> list[Path]:
    """Every file under `root` among `files` and in `folders` (by default, where the Space takes files from),
    relative to `root`."""
    paths = [root / name for name in files]
    for folder in folders:
        paths.extend((root / folder).rglob("*"))
    return [path.relative_to(root) for path in paths if path.is_file()]


def gitignore_patterns(gitignore: Path) -> list[str]:
    """The patterns of a .gitignore file, without comments and blank lines."""
    if not gitignore.is_file():
        return []
    lines = (line.rstrip() for line in gitignore.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def is_ignored(relative: Path, patterns: list[str]) -> bool:
    """Whether a .gitignore with `patterns` ignores `relative` or one of its parent folders."""
    parts = PurePosixPath(relative.as_posix()).parts
    ignored = False
    for pattern in patterns:  # as in git, the last matching pattern decides
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!")
        folders_only = pattern.endswith("/")
        pattern = pattern.rstrip("/").removeprefix("**/")
        anchored = "/" in pattern
        pattern = pattern.removeprefix("/")
        # A pattern ending in "/" matches folders only, so never the file itself (the last part).
        depths = range(1, len(parts)) if folders_only else range(1, len(parts) + 1)
        for depth in depths:
            subject = "/".join(parts[:depth]) if anchored else parts[depth - 1]
            if fnmatchcase(subject, pattern):
                ignored = not negated
                break
    return ignored


def missing_files(root: Path, selected: list[Path], required: tuple[str, ...]) -> list[str]:
    """One explanation per required file that is absent from `selected`."""
    problems = []
    for name in required:
        if Path(name) in selected:
            continue
        if (root / name).is_file():
            problems.append(f"{name} is ignored by .gitignore, so it would not be uploaded")
        else:
            hint = HOW_TO_REGENERATE.get(name, f"restore it with `git checkout -- {name}`")
            problems.append(f"{name} not found in {root}: {hint}")
    return problems

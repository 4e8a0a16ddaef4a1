"""Publish web/ as a static Hugging Face Space (free for every account: the model runs in the visitor's
browser). `python -m digit_recognizer.hub static OWNER/NAME [--dry-run]` calls `publish_static`.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath

from huggingface_hub import CommitOperationAdd, HfApi
from huggingface_hub.errors import HfHubHTTPError, HTTPError

from digit_recognizer.hub import (
    MODEL_FILENAME, PROJECT_SPACE, PublishError, explain_hub_error, file_table, hub_token, one_line,
)
from digit_recognizer.space_files import not_ignored_files

WEB = "web"
# The site: what the browser loads. The tools that make it (export_model.py, vendor.mjs) stay home.
SITE_SUFFIXES = (".html", ".css", ".js", ".mjs", ".onnx", ".json", ".gz", ".md")
TOOLS = ("export_model.py", "vendor.mjs")
REQUIRED = ("README.md", "index.html", "page.js", "model.onnx", "model.json",
            "vendor/ort.wasm.bundle.min.mjs", "vendor/ort-wasm-simd-threaded.wasm.gz")


def site_files(root: Path) -> list[PurePosixPath]:
    """The files of the static site, relative to `root`/web, that git would not ignore."""
    files = []
    for path in not_ignored_files(root, files=(), folders=(WEB,)):  # (files that exist, in both of its ways)
        relative = PurePosixPath(path.relative_to(WEB).as_posix())
        if any(part.startswith((".", "__")) for part in relative.parts):
            continue
        if relative.suffix in SITE_SUFFIXES and relative.name not in TOOLS:
            files.append(relative)
    return sorted(files)


def check_site(root: Path, files: list[PurePosixPath]) -> None:
    """Raise PublishError if the site lacks a file, or its exported model is not of the shipped model."""
    missing = [name for name in REQUIRED if PurePosixPath(name) not in files]
    if missing:
        hints = {"model.onnx": "python web/export_model.py", "model.json": "python web/export_model.py"}
        hint = next((hints[name] for name in missing if name in hints), "npm ci && npm run vendor")
        raise PublishError(f"{', '.join(f'{WEB}/{name}' for name in missing)} not found in {root}: run `{hint}`")
    model = root / MODEL_FILENAME
    exported = json.loads((root / WEB / "model.json").read_text()).get("source_sha256")
    if model.is_file() and exported != hashlib.sha256(model.read_bytes()).hexdigest():
        raise PublishError(f"{WEB}/model.onnx was exported from another {MODEL_FILENAME} than this one: "
                           "run `python web/export_model.py` to export it again")


def static_readme(readme: bytes, space_id: str) -> bytes:
    """web/README.md as the Space `space_id` shows it: its links name that Space instead of this project's."""
    return readme.decode("utf-8", errors="replace").replace(PROJECT_SPACE, space_id).encode()


def publish_static(root: Path, repo_id: str, private: bool, dry_run: bool) -> None:
    """Create the static Space `repo_id` if needed and upload web/'s site in one commit."""
    files = site_files(root)
    check_site(root, files)
    contents: dict[str, Path | bytes] = {name.as_posix(): root / WEB / name for name in files}
    contents["README.md"] = static_readme((root / WEB / "README.md").read_bytes(), repo_id)
    sizes = {name: len(content) if isinstance(content, bytes) else content.stat().st_size
             for name, content in contents.items()}
    if dry_run:
        visibility = "private" if private else "public"
        print(f"Dry run, nothing sent. Would create the {visibility} static Space {repo_id} (free: it runs in "
              "the visitor's browser) if it does not exist,")
        print(f"then upload these files from {root / WEB} in one commit:\n")
        print(file_table(sizes))
        return
    api = HfApi(token=hub_token())
    try:
        url = api.create_repo(repo_id, repo_type="space", space_sdk="static", exist_ok=True, private=private)
        commit = api.create_commit(
            repo_id,
            [CommitOperationAdd(path_in_repo=name, path_or_fileobj=content) for name, content in contents.items()],
            commit_message="Publish the digit recognizer (static, in the browser)",
            repo_type="space",
        )
    except HfHubHTTPError as error:
        if error.response.status_code != 402:  # (hub.py's 402 advice is about Gradio Spaces, not this one)
            raise PublishError(explain_hub_error(error, repo_id, "space")) from error
        raise PublishError(f"the Hub refused to create the static Space {repo_id} "
                           f"(402: {one_line(error.server_message or error)})") from error
    except (HTTPError, ConnectionError, TimeoutError, ValueError) as error:
        raise PublishError(explain_hub_error(error, repo_id, "space")) from error
    print(f"Uploaded {len(sizes)} files to {url} ({commit.commit_url})")

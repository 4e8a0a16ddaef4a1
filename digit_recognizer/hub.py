"""Publish this repository to the Hugging Face Hub (the Space, the model) and find the model file.

Run `python -m digit_recognizer.hub --help`; the app calls `model_file()` to locate the trained CNN.
"""
import argparse
import json
import logging
import os
import sys
from pathlib import Path

from huggingface_hub import CommitOperationAdd, HfApi, constants, get_token, hf_hub_download, is_offline_mode
from huggingface_hub.errors import (  # HTTPError: base of the HTTP client's errors (httpx2.HTTPError in 2.4)
    HfHubHTTPError,
    HFValidationError,
    HTTPError,
    LocalEntryNotFoundError,
    OfflineModeIsEnabled,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
)
from huggingface_hub.utils import validate_repo_id

from digit_recognizer.space_files import (
    HOW_TO_REGENERATE, METRICS_FILENAME, MODEL_FILENAME, NOTEBOOK, SPACE_REQUIRED_FILES, missing_files, space_files,
)

REPO_ROOT = Path(__file__).resolve().parent.parent

# The ids this project's README links to; a published copy's README names its own instead.
PROJECT_SPACE = "digit-recognizer/draw-a-digit"
PROJECT_MODEL_REPO = "digit-recognizer/digit-cnn"
PAID_PLAN_HINTS = ("payment", "paid plan", "subscription", "billing", "huggingface.co/pro")


class ModelNotFoundError(RuntimeError):
    """The trained model file cannot be found locally or fetched from the Hub."""


class PublishError(Exception):
    """A problem the user can fix; its message is printed as one line, without a traceback."""


# --- Finding the model (used by the app) -------------------------------------------------


def _download_metrics_beside(repo_id: str) -> None:
    """Fetch the repo's metrics.json into the same snapshot folder as the model (the recognizer reads its
    temperature and energy threshold there); a repo without one serves an uncalibrated model."""
    try:
        hf_hub_download(repo_id, METRICS_FILENAME)
    except (RemoteEntryNotFoundError, LocalEntryNotFoundError, OfflineModeIsEnabled, HfHubHTTPError, HTTPError):
        pass


def model_file(repo_id: str | None = None) -> Path:
    """Path of cnn_model_v2.h5: downloaded (and cached) from `repo_id` or $MODEL_REPO, else this checkout's."""
    if repo_id is None:
        repo_id = os.environ.get("MODEL_REPO", "").strip() or None
    if repo_id is None:
        local = REPO_ROOT / MODEL_FILENAME
        if not local.is_file():
            raise ModelNotFoundError(
                f"{local} not found: {HOW_TO_REGENERATE[MODEL_FILENAME]}, or set MODEL_REPO to a Hub model repo"
            )
        return local
    where = f"{MODEL_FILENAME} from Hub model repo '{repo_id}'"
    # The library retries an unreachable Hub for about 25 s with a warning per attempt; those lines
    # would bury the one that explains the outcome, so they are held back during the download.
    hub_logger = logging.getLogger("huggingface_hub")
    level = hub_logger.level
    hub_logger.setLevel(logging.ERROR)
    try:
        path = Path(hf_hub_download(repo_id, MODEL_FILENAME))
        _download_metrics_beside(repo_id)
        return path
    except HFValidationError as error:
        raise ModelNotFoundError(f"cannot load {where}: invalid repo id ({one_line(error)})") from error
    except RepositoryNotFoundError as error:  # also gated repos
        raise ModelNotFoundError(
            f"cannot load {where}: the repo does not exist or is private "
            "(check the id, or set HF_TOKEN to a token that can read it)"
        ) from error
    except RemoteEntryNotFoundError as error:
        raise ModelNotFoundError(
            f"cannot load {where}: the repo has no {MODEL_FILENAME} "
            f"(publish it with `python -m digit_recognizer.hub model {repo_id}`)"
        ) from error
    except LocalEntryNotFoundError as error:
        reason = "HF_HUB_OFFLINE=1 is set" if is_offline_mode() else f"the Hub at {constants.ENDPOINT} is unreachable"
        raise ModelNotFoundError(
            f"cannot load {where}: {reason} and the file is not in the Hugging Face cache "
            f"{constants.HF_HUB_CACHE} (download it once online, or unset MODEL_REPO to use the local file)"
        ) from error
    except HfHubHTTPError as error:
        raise ModelNotFoundError(f"cannot load {where}: {one_line(error)}") from error
    finally:
        hub_logger.setLevel(level)


# --- Publishing ---------------------------------------------------------------------------


def check_repo_id(repo_id: str, what: str) -> None:
    """Raise PublishError unless `repo_id` is a valid `owner/name` Hub id."""
    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        raise PublishError(f"invalid {what} id '{repo_id}': {one_line(error)}") from error
    if repo_id.count("/") != 1:
        raise PublishError(f"invalid {what} id '{repo_id}': use the form owner/name, e.g. your-username/{repo_id}")


def read_metrics(root: Path) -> dict:
    """The metrics.json of the training run, checked to hold what the model card shows."""
    path = root / METRICS_FILENAME
    if not path.is_file():
        raise PublishError(f"{METRICS_FILENAME} not found in {root}: {HOW_TO_REGENERATE[METRICS_FILENAME]}")
    try:
        metrics = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise PublishError(f"{path} is not valid JSON ({error}): {HOW_TO_REGENERATE[METRICS_FILENAME]}") from error
    absent = [key for key in ("test_accuracy", "test_loss") if key not in metrics]
    if absent:
        raise PublishError(f"{path} lacks {', '.join(absent)}: {HOW_TO_REGENERATE[METRICS_FILENAME]}")
    return metrics


def rendered_model_card(root: Path, repo_id: str, space_id: str | None) -> str:
    """The README.md of the model repo: the model card filled in from `root`/metrics.json."""
    from digit_recognizer.model_card import model_card

    return str(model_card(read_metrics(root), repo_id, space_id))


def human_size(size: int) -> str:
    """A byte count the way people read it: 812 B, 3.4 kB, 1.2 MB."""
    for unit in ("B", "kB", "MB"):
        if size < 1000:
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def file_table(files: dict[str, int]) -> str:
    """An aligned table of the files to upload (path in repo → size in bytes) with a total."""
    total = f"{len(files)} files"
    width = max(len(name) for name in [*files, total, "file"])
    lines = [f"  {'file':<{width}}  {'bytes':>13}  {'size':>8}", f"  {'-' * width}  {'-' * 13}  {'-' * 8}"]
    lines += [f"  {name:<{width}}  {size:>13,}  {human_size(size):>8}" for name, size in files.items()]
    lines += [f"  {'-' * width}  {'-' * 13}  {'-' * 8}"]
    lines += [f"  {total:<{width}}  {sum(files.values()):>13,}  {human_size(sum(files.values())):>8}"]
    return "\n".join(lines)


def hub_token() -> str:
    """The Hugging Face token from HF_TOKEN or the stored login."""
    token = get_token()
    if not token:
        raise PublishError("no Hugging Face token: run `hf auth login` or set HF_TOKEN")
    return token


def explain_hub_error(error: Exception, repo_id: str, repo_type: str) -> str:
    """One line saying what went wrong talking to the Hub and what to do about it."""
    repo = f"Space {repo_id}" if repo_type == "space" else f"model repo {repo_id}"
    owner = repo_id.split("/")[0]
    if isinstance(error, OfflineModeIsEnabled):
        return f"HF_HUB_OFFLINE=1 is set: unset it to publish {repo}, or use --dry-run"
    if isinstance(error, ValueError):  # e.g. the Hub found the README.md metadata invalid
        return f"cannot publish {repo}: {one_line(error)}"
    if not isinstance(error, HfHubHTTPError):  # connection refused, DNS failure, timeout, proxy error
        return f"cannot reach the Hugging Face Hub at {constants.ENDPOINT} ({error}): check your connection"
    status = error.response.status_code
    server_says = one_line(error.server_message or error)
    if status == 402 or (status == 403 and any(hint in server_says.lower() for hint in PAID_PLAN_HINTS)):
        return (
            f"the Hub refused to create {repo}: hosting a Gradio Space needs a paid plan ({status}: {server_says}). "
            "Alternatives: create or duplicate the Space in the browser with an account or organisation that may "
            "host it, then re-run this command to upload into it; publish only the model with "
            f"`python -m digit_recognizer.hub model {owner}/NAME`; or run the app locally with `python app.py`"
        )
    if status in (401, 403):
        return (
            f"the Hub refused access to {repo} ({status}: {server_says}): the token is invalid or lacks write "
            f"access to the '{owner}' namespace; create a token with write permission at "
            "https://huggingface.co/settings/tokens"
        )
    return f"the Hub refused to publish {repo} ({status}): {server_says}"


def one_line(message: Exception | str) -> str:
    """A (possibly multi-line) error message joined into one line."""
    return " ".join(line.strip() for line in str(message).splitlines() if line.strip()) or type(message).__name__


def space_readme(readme: bytes, space_id: str, model_repo: str | None) -> bytes:
    """The README as the Space `space_id` should show it: its links (Colab badge, API snippet) name that
    Space instead of this project's, and its `models:` the model repo the Space loads, if one is given."""
    text = readme.decode("utf-8", errors="replace").replace(PROJECT_SPACE, space_id)
    if model_repo:
        text = text.replace(PROJECT_MODEL_REPO, model_repo)
    return text.encode()


def publish_space(root: Path, repo_id: str, private: bool, dry_run: bool, model_repo: str | None) -> None:
    """Create the Gradio Space `repo_id` if needed and upload exactly `space_files(root)` in one commit."""
    selected = space_files(root)
    required = SPACE_REQUIRED_FILES
    if model_repo:  # the Space downloads the model from its repo, so the local copy stays home
        selected = [path for path in selected if path != Path(MODEL_FILENAME)]
        required = tuple(name for name in required if name != MODEL_FILENAME)
    problems = missing_files(root, selected, required)
    if problems:
        raise PublishError("; ".join(problems))
    contents: dict[str, Path | bytes] = {path.as_posix(): root / path for path in selected}
    if "README.md" in contents:
        contents["README.md"] = space_readme((root / "README.md").read_bytes(), repo_id, model_repo)
    sizes = {name: len(content) if isinstance(content, bytes) else content.stat().st_size
             for name, content in contents.items()}
    if dry_run:
        visibility = "private" if private else "public"
        print(f"Dry run, nothing sent. Would create the {visibility} Gradio Space {repo_id} if it does not exist,")
        print(f"then upload these files from {root} in one commit (README.md's links pointed at {repo_id}):\n")
        print(file_table(sizes))
        if model_repo:
            print(f"\nand set the Space variable MODEL_REPO={model_repo} (the app loads {MODEL_FILENAME} from there).")
        return
    api = HfApi(token=hub_token())
    try:
        url = api.create_repo(repo_id, repo_type="space", space_sdk="gradio", exist_ok=True, private=private)
        if model_repo:
            api.add_space_variable(repo_id, "MODEL_REPO", model_repo, description="Hub model repo the app loads")
        commit = api.create_commit(
            repo_id,
            [CommitOperationAdd(path_in_repo=name, path_or_fileobj=content) for name, content in contents.items()],
            commit_message="Publish the digit recognizer Space",
            repo_type="space",
        )
    except (HfHubHTTPError, HTTPError, ConnectionError, TimeoutError, ValueError) as error:
        raise PublishError(explain_hub_error(error, repo_id, "space")) from error
    print(f"Uploaded {len(sizes)} files to {url} ({commit.commit_url})")


def publish_model(root: Path, repo_id: str, private: bool, dry_run: bool, space_id: str | None) -> None:
    """Create the model repo `repo_id` if needed and upload the model, its metrics, the notebook that trained
    it (the README's Open-in-Colab badge opens it from there) and its card in one commit."""
    uploaded = (MODEL_FILENAME, METRICS_FILENAME, NOTEBOOK)
    problems = missing_files(root, [Path(name) for name in uploaded if (root / name).is_file()], uploaded)
    if problems:
        raise PublishError("; ".join(problems))
    card = rendered_model_card(root, repo_id, space_id).encode()
    sizes = {name: (root / name).stat().st_size for name in uploaded}
    sizes["README.md"] = len(card)
    if dry_run:
        visibility = "private" if private else "public"
        print(f"Dry run, nothing sent. Would create the {visibility} model repo {repo_id} if it does not exist,")
        print(f"then upload these files from {root} in one commit (README.md is the model card below):\n")
        print(file_table(sizes))
        print("\n--- README.md (model card) ---")
        print(card.decode())
        return
    api = HfApi(token=hub_token())
    operations = [CommitOperationAdd(path_in_repo=name, path_or_fileobj=root / name) for name in uploaded]
    operations.append(CommitOperationAdd(path_in_repo="README.md", path_or_fileobj=card))
    try:
        url = api.create_repo(repo_id, repo_type="model", exist_ok=True, private=private)
        commit = api.create_commit(repo_id, operations, commit_message="Publish the digit recognizer CNN")
    except (HfHubHTTPError, HTTPError, ConnectionError, TimeoutError, ValueError) as error:
        raise PublishError(explain_hub_error(error, repo_id, "model")) from error
    print(f"Uploaded {len(sizes)} files to {url} ({commit.commit_url})")


# --- Command line -------------------------------------------------------------------------

EXAMPLES = """\
examples:
  python -m digit_recognizer.hub static your-name/digit-recognizer-web --dry-run
  python -m digit_recognizer.hub space your-name/digit-recognizer --dry-run
  python -m digit_recognizer.hub space your-name/digit-recognizer --private
  python -m digit_recognizer.hub model your-name/digit-cnn --space your-name/digit-recognizer
  python -m digit_recognizer.hub space your-name/digit-recognizer --model-repo your-name/digit-cnn

The token comes from HF_TOKEN or from `hf auth login`. --dry-run needs no token and no network.
Hosting a Gradio Space needs a paid Hugging Face plan; a static Space (the model runs in the browser) and a model
repo do not.
"""


def argument_parser() -> argparse.ArgumentParser:
    """The `python -m digit_recognizer.hub` command line."""
    parser = argparse.ArgumentParser(
        prog="python -m digit_recognizer.hub",
        description="Publish the digit recognizer to the Hugging Face Hub: the Gradio Space, or the model alone.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    targets = parser.add_subparsers(dest="target", required=True, metavar="{static,space,model}")
    static = targets.add_parser(
        "static",
        help="create/update the static Space (web/: the page, the model for the browser; free for every account)",
        description="Create the static Space if needed and upload web/'s site (index.html, scripts, model.onnx, "
        "the vendored runtime), in one commit. The model runs in the visitor's browser.",
    )
    space = targets.add_parser(
        "space",
        help="create/update the Gradio Space (app, package, model, metrics, examples, notebook)",
        description="Create the Gradio Space if needed and upload the files the app needs, in one commit. "
        "Never uploaded: tests/, benchmarks/, .ci/, caches, virtualenvs, .git and anything .gitignore ignores.",
    )
    model = targets.add_parser(
        "model",
        help="create/update a model repo (cnn_model_v2.h5, metrics.json, the notebook, model card as README.md)",
        description=f"Create the model repo if needed and upload cnn_model_v2.h5, metrics.json, {NOTEBOOK} and a "
        "model card rendered from metrics.json, in one commit.",
    )
    for command in (static, space, model):
        command.add_argument("repo_id", metavar="OWNER/NAME", help="the repo to create or update")
        command.add_argument(
            "--private", action="store_true", help="create the repo private (an existing repo keeps its visibility)"
        )
        command.add_argument(
            "--dry-run", action="store_true", help="list the files and sizes that would be uploaded; send nothing"
        )
        command.add_argument(
            "--root", type=Path, default=REPO_ROOT, help="the checkout to publish from (default: %(default)s)"
        )
    space.add_argument(
        "--model-repo",
        metavar="OWNER/MODEL",
        help="have the Space load the model from this model repo (sets the Space variable MODEL_REPO) "
        "instead of uploading cnn_model_v2.h5",
    )
    model.add_argument("--space", metavar="OWNER/SPACE", help="link this Space from the model card")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; print one `error:` line on stderr and return 1 on any problem the user can fix."""
    args = argument_parser().parse_args(argv)
    root = args.root.resolve()
    try:
        if args.target == "static":
            from digit_recognizer import static_space

            check_repo_id(args.repo_id, "Space")
            try:
                static_space.publish_static(root, args.repo_id, args.private, args.dry_run)
            except static_space.PublishError as error:  # (run as __main__, this module's class is another one)
                raise PublishError(str(error)) from None
        elif args.target == "space":
            check_repo_id(args.repo_id, "Space")
            if args.model_repo:
                check_repo_id(args.model_repo, "model repo")
            publish_space(root, args.repo_id, args.private, args.dry_run, args.model_repo)
        else:
            check_repo_id(args.repo_id, "model repo")
            if args.space:
                check_repo_id(args.space, "Space")
            publish_model(root, args.repo_id, args.private, args.dry_run, args.space)
    except PublishError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the listing was piped into `head`: stop quietly, like any Unix tool
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())

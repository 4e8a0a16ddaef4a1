"""Publishing to the Hub and finding the model, tested with the real huggingface_hub up to the network.

No test reaches the internet: the CLI runs with HF_ENDPOINT on a closed local port, or on a
local server standing in for the Hub's HTTP API; the model cache is built on disk.
"""
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from huggingface_hub import ModelCard, SpaceCard, SpaceCardData, metadata_load, scan_cache_dir
from huggingface_hub.utils import validate_repo_id

from conftest import REPO_ROOT
from digit_recognizer.hub import rendered_model_card
from digit_recognizer.space_files import is_ignored, space_files

METRICS = {
    "test_accuracy": 0.9962,
    "test_loss": 0.0151,
    "per_class_accuracy": {str(digit): 0.99 + digit / 1000 for digit in range(10)},
    "epochs": 15,
    "batch_size": 128,
    "train_images": 60000,
    "training_seconds": 812.5,
    "seconds_per_epoch": 54.2,
    "hardware": "CPU (2 cores)",
    "tensorflow_version": "2.21.0",
    "keras_version": "3.13.0",
    "python_version": "3.11.9",
    "seed": 42,
    "data_sha256": "0" * 64,
}
SPACE_FILES = [
    "CNN_Model_Training.ipynb",
    "README.md",
    "app.py",
    "cnn_model_v2.h5",
    "digit_recognizer/__init__.py",
    "digit_recognizer/hub.py",
    "examples/seven.png",
    "examples/strokes/thin-one.png",
    "metrics.json",
    "requirements.txt",
]
NEVER_IN_THE_SPACE = [
    "tests/test_app.py",
    "benchmarks/latency.py",
    ".ci/run",
    ".venv/lib/site.py",
    "venv/bin/python",
    ".git/HEAD",
    "digit_recognizer/__pycache__/hub.cpython-311.pyc",
    "examples/__pycache__/x.pyc",
    ".pytest_cache/v/cache",
    ".hypothesis/examples/x",
    ".gradio/flagged/log.csv",
    "examples/.ipynb_checkpoints/seven-checkpoint.png",
    "out/benchmark.csv",  # ignored by the .gitignore below
    "examples/scratch.tmp",  # ignored by the .gitignore below
    "requirements-dev.txt",
    "pytest.ini",
    "notes.txt",
]
GITIGNORE = ".venv/\n__pycache__/\n*.pyc\n.pytest_cache/\n.hypothesis/\n.gradio/\n/out/\n*.tmp\n"


# --- Fixtures and helpers ------------------------------------------------------------------


def write_checkout(root: Path) -> Path:
    """A fake checkout with every kind of file the Space must and must not receive."""
    for name in SPACE_FILES + NEVER_IN_THE_SPACE:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * (len(name) * 10))  # sizes vary, so the dry-run table is checked file by file
    (root / "cnn_model_v2.h5").write_bytes(os.urandom(150_000))
    (root / "metrics.json").write_text(json.dumps(METRICS))
    (root / ".gitignore").write_text(GITIGNORE)
    return root


@pytest.fixture(params=["git checkout", "plain folder"])
def checkout(request, tmp_path) -> Path:
    """The fake checkout, once as a git work tree (git decides) and once as a plain folder."""
    root = write_checkout(tmp_path / "checkout")
    if request.param == "git checkout":
        shutil.rmtree(root / ".git")  # the fake one: git refuses it, so the plain folder keeps it
        subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
        subprocess.run(["git", "-C", str(root), "add", "app.py", "digit_recognizer", "README.md"], check=True)
    return root  # in git, the files not added above are untracked: listed unless ignored


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: any request to it fails at once with 'connection refused'."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hub_env(tmp_path: Path, endpoint: str, **overrides: str) -> dict[str, str]:
    """The environment for a CLI run: no stored login, no inherited Hub settings, the given endpoint."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HF_", "HUGGING_FACE_")) and key not in ("MODEL_REPO", "TRANSFORMERS_OFFLINE")
    }
    home = tmp_path / "hf_home"
    home.mkdir(exist_ok=True)
    env.update(HF_HOME=str(home), HF_ENDPOINT=endpoint, HF_HUB_DISABLE_TELEMETRY="1", **overrides)
    return env


def run_hub(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "digit_recognizer.hub", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess) -> str:
    """The run failed with exactly one `error:` line on stderr and no traceback; return that line."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


class FakeHub:
    """A local HTTP server answering the Hub API calls of a publish the way the Hub does, recording them.

    `refuse_create` makes repo creation fail with that (status, server message), as the Hub does
    for a token without write access (403) or an account whose plan cannot host the Space (402).
    """

    def __init__(self, refuse_create: tuple[int, str] | None = None):
        self.refuse_create = refuse_create
        self.requests: list[tuple[str, str, bytes]] = []
        self.committed: dict[str, bytes] = {}
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.respond(*hub.answer("GET", self.path.split("?")[0], b""))

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.respond(*hub.answer("POST", self.path.split("?")[0], body))

            def respond(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, dict]:
        self.requests.append((method, path, body))
        if (method, path) == ("POST", "/api/repos/create"):
            if self.refuse_create:
                status, message = self.refuse_create
                return status, {"error": message}
            request = json.loads(body)
            prefix = "/spaces" if request.get("type") == "space" else ""
            return 200, {"url": f"{self.endpoint}{prefix}/{request['organization']}/{request['name']}"}
        if (method, path) == ("POST", "/api/validate-yaml"):
            return 200, {}
        if method == "POST" and path.endswith("/preupload/main"):
            files = json.loads(body)["files"]
            modes = [{"path": file["path"], "uploadMode": "regular", "shouldIgnore": False} for file in files]
            return 200, {"files": modes}
        if method == "POST" and path.endswith("/commit/main"):
            for line in body.splitlines():
                item = json.loads(line)
                if item["key"] == "file":
                    self.committed[item["value"]["path"]] = base64.b64decode(item["value"]["content"])
            repo = path.removeprefix("/api").removesuffix("/commit/main").removeprefix("/models")
            return 200, {"commitUrl": f"{self.endpoint}{repo}/commit/{'a' * 40}", "commitOid": "a" * 40}
        if method == "POST" and path.endswith("/variables"):
            return 200, {}
        return 404, {"error": "Repository not found"}

    def created(self) -> dict:
        return next(json.loads(body) for method, path, body in self.requests if path == "/api/repos/create")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_hub():
    hubs = []

    def start(**options) -> FakeHub:
        hubs.append(FakeHub(**options))
        return hubs[-1]

    yield start
    for hub in hubs:
        hub.close()


def write_model_cache(cache: Path, repo_id: str, content: bytes) -> Path:
    """Lay out `cnn_model_v2.h5` of `repo_id` as hf_hub_download caches it; return the snapshot file."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    blob_name = "5f" * 32  # blobs are named by their etag; any name works for reading back
    repo_folder = cache / f"models--{repo_id.replace('/', '--')}"
    (repo_folder / "blobs").mkdir(parents=True)
    (repo_folder / "blobs" / blob_name).write_bytes(content)
    (repo_folder / "refs").mkdir()
    (repo_folder / "refs" / "main").write_text(commit)
    snapshot = repo_folder / "snapshots" / commit / "cnn_model_v2.h5"
    snapshot.parent.mkdir(parents=True)
    snapshot.symlink_to(Path("..", "..", "blobs", blob_name))
    return snapshot


def run_model_file(env: dict[str, str], call: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    """Call `model_file` in a fresh interpreter (huggingface_hub reads HF_* variables at import)."""
    code = (
        "from digit_recognizer.hub import ModelNotFoundError, model_file\n"
        f"try:\n    print(model_file({call}))\n"
        "except ModelNotFoundError as error:\n    print('ModelNotFoundError:', error)\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


# --- Which files the Space gets ------------------------------------------------------------


def test_space_gets_app_package_model_metrics_examples_readme_and_notebook(checkout):
    assert [path.as_posix() for path in space_files(checkout)] == SPACE_FILES


@pytest.mark.parametrize("name", NEVER_IN_THE_SPACE)
def test_space_never_gets_tests_benchmarks_ci_caches_virtualenvs_git_or_ignored_files(checkout, name):
    assert (checkout / name).exists()
    assert Path(name) not in space_files(checkout)


def test_git_checkout_follows_nested_gitignore_and_skips_files_deleted_from_disk(tmp_path):
    root = write_checkout(tmp_path)
    shutil.rmtree(root / ".git")
    (root / "examples" / ".gitignore").write_text("strokes/\n")  # only git reads nested .gitignore files
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    (root / "digit_recognizer" / "hub.py").unlink()  # still in git's index, gone from disk
    selected = {path.as_posix() for path in space_files(root)}
    assert "examples/strokes/thin-one.png" not in selected
    assert "digit_recognizer/hub.py" not in selected
    assert {"examples/seven.png", "app.py", "cnn_model_v2.h5"} <= selected


def test_repository_checkout_publishes_the_app_and_the_model_but_not_tests():
    selected = {path.as_posix() for path in space_files(REPO_ROOT)}
    expected = ["app.py", "cnn_model_v2.h5", "metrics.json", "requirements.txt", "README.md"]
    expected += ["CNN_Model_Training.ipynb", "digit_recognizer/hub.py", "digit_recognizer/model_card.py"]
    assert [name for name in expected if name not in selected] == []
    assert not [name for name in selected if name.split("/")[0] in ("tests", "benchmarks", ".ci", ".venv", ".git")]
    assert not [name for name in selected if "__pycache__" in name or name.endswith(".pyc")]


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        ("out/table.csv", True),  # "/out/" is anchored to the root...
        ("examples/out/seven.png", False),  # ...so a nested out/ is kept
        ("digit_recognizer/hub.pyc", True),
        ("examples/scratch.tmp", True),
        ("examples/keep.tmp", False),  # re-included by "!keep.tmp"
        ("examples/build", False),  # "build/" matches folders only, not a file named build
        ("examples/build/x.png", True),
        ("examples/seven.png", False),
    ],
)
def test_gitignore_matcher_outside_git_follows_git_rules(path, ignored):
    patterns = ["/out/", "*.pyc", "*.tmp", "!keep.tmp", "build/"]
    assert is_ignored(Path(path), patterns) is ignored


# --- The model card ------------------------------------------------------------------------


def test_model_card_metadata_parses_back_with_the_metrics_of_metrics_json(tmp_path):
    (tmp_path / "metrics.json").write_text(json.dumps(METRICS))
    readme = tmp_path / "README.md"
    readme.write_text(rendered_model_card(tmp_path, "owner/digit-cnn", "owner/draw-a-digit"))

    card = ModelCard.load(readme)
    assert card.data.library_name == "keras" and card.data.license == "mit"
    (result,) = card.data.eval_results
    assert (result.metric_type, result.metric_value) == ("accuracy", METRICS["test_accuracy"])
    assert (result.dataset_type, result.dataset_split) == ("ylecun/mnist", "test")
    model_index = metadata_load(readme)["model-index"]
    assert model_index[0]["name"] == "digit-cnn"
    assert model_index[0]["results"][0]["metrics"][0]["value"] == METRICS["test_accuracy"]
    assert f"| loss (cross-entropy on logits) | {METRICS['test_loss']:.4f} |" in card.text
    assert "https://huggingface.co/spaces/owner/draw-a-digit" in card.text
    assert 'hf_hub_download("owner/digit-cnn", "cnn_model_v2.h5")' in card.text


# --- Dry runs: everything printed, nothing sent ----------------------------------------------


def test_space_dry_run_lists_every_file_with_its_size_and_sends_nothing(tmp_path, closed_port):
    root = write_checkout(tmp_path / "checkout")
    # A token is set, so any call that slipped through would reach the closed port and fail.
    env = hub_env(tmp_path, f"http://127.0.0.1:{closed_port}", HF_TOKEN="hf_not_a_real_token")
    result = run_hub(env, "space", "owner/draw-a-digit", "--dry-run", "--root", str(root))
    assert result.returncode == 0, result.stderr
    rows = re.findall(r"^  (\S+)\s+([\d,]+)\s+[\d.]+ k?M?B$", result.stdout, re.MULTILINE)
    listed = {name: int(size.replace(",", "")) for name, size in rows}
    assert listed == {name: (root / name).stat().st_size for name in SPACE_FILES}
    assert re.search(r"10 files\s+[\d,]+\s+1\d\d\.\d kB", result.stdout)
    assert "tests/" not in result.stdout and "benchmarks" not in result.stdout
    assert result.stderr == ""


def test_space_dry_run_with_model_repo_leaves_the_model_file_home(tmp_path, closed_port):
    root = write_checkout(tmp_path / "checkout")
    (root / "cnn_model_v2.h5").unlink()  # not needed: the Space will download it
    env = hub_env(tmp_path, f"http://127.0.0.1:{closed_port}")
    result = run_hub(env, "space", "owner/draw-a-digit", "--dry-run", "--root", str(root), "--model-repo", "owner/cnn")
    assert result.returncode == 0, result.stderr
    assert "cnn_model_v2.h5  " not in result.stdout
    assert "MODEL_REPO=owner/cnn" in result.stdout


def test_model_dry_run_lists_model_metrics_and_card_and_prints_the_card(tmp_path, closed_port):
    root = write_checkout(tmp_path / "checkout")
    env = hub_env(tmp_path, f"http://127.0.0.1:{closed_port}", HF_TOKEN="hf_not_a_real_token")
    result = run_hub(env, "model", "owner/digit-cnn", "--dry-run", "--root", str(root), "--space", "owner/draw")
    assert result.returncode == 0, result.stderr
    card = rendered_model_card(root, "owner/digit-cnn", "owner/draw")
    assert re.search(r"^  cnn_model_v2\.h5\s+150,000\s+150\.0 kB$", result.stdout, re.MULTILINE)
    assert re.search(rf"^  metrics\.json\s+{(root / 'metrics.json').stat().st_size:,}\s", result.stdout, re.MULTILINE)
    assert re.search(rf"^  README\.md\s+{len(card.encode()):,}\s", result.stdout, re.MULTILINE)
    assert re.search(r"^  CNN_Model_Training\.ipynb\s", result.stdout, re.MULTILINE)  # what the Colab badge opens
    assert card in result.stdout
    assert result.stderr == ""


# --- Errors: one line, no traceback ----------------------------------------------------------


def test_publishing_without_a_token_says_how_to_log_in(tmp_path, closed_port):
    root = write_checkout(tmp_path / "checkout")
    env = hub_env(tmp_path, f"http://127.0.0.1:{closed_port}", HF_TOKEN="")  # and HF_HOME holds no login
    line = assert_one_line_error(run_hub(env, "space", "owner/draw-a-digit", "--root", str(root)))
    assert line == "error: no Hugging Face token: run `hf auth login` or set HF_TOKEN"


@pytest.mark.parametrize(
    ("target", "repo_id"),
    [("space", "draw-a-digit"), ("model", "owner/draw a digit"), ("space", "owner/team/draw"), ("model", "owner/-d")],
)
def test_malformed_repo_id_is_refused_before_anything_else(tmp_path, closed_port, target, repo_id):
    env = hub_env(tmp_path, f"http://127.0.0.1:{closed_port}", HF_TOKEN="hf_not_a_real_token")
    line = assert_one_line_error(run_hub(env, target, repo_id, "--dry-run"))
    assert f"invalid {'Space' if target == 'space' else 'model repo'} id '{repo_id}'" in line


def test_unreachable_hub_is_reported_as_a_connection_problem(tmp_path, closed_port):
    root = write_checkout(tmp_path / "checkout")
    endpoint = f"http://127.0.0.1:{closed_port}"
    env = hub_env(tmp_path, endpoint, HF_TOKEN="hf_not_a_real_token")
    line = assert_one_line_error(run_hub(env, "model", "owner/digit-cnn", "--root", str(root)))
    assert line.startswith(f"error: cannot reach the Hugging Face Hub at {endpoint}")
    assert "check your connection" in line


def test_missing_model_and_metrics_name_the_files_and_the_notebook(tmp_path):
    root = write_checkout(tmp_path / "checkout")
    (root / "cnn_model_v2.h5").unlink()
    (root / "metrics.json").unlink()
    env = hub_env(tmp_path, "http://127.0.0.1:9")
    for target in ("space", "model"):
        line = assert_one_line_error(run_hub(env, target, "owner/name", "--dry-run", "--root", str(root)))
        assert "cnn_model_v2.h5 not found" in line and "metrics.json not found" in line
        assert "CNN_Model_Training.ipynb" in line


def test_token_without_write_access_is_named_as_such(tmp_path, fake_hub):
    hub = fake_hub(refuse_create=(403, "You don't have the rights to create a model under the namespace \"owner\""))
    root = write_checkout(tmp_path / "checkout")
    env = hub_env(tmp_path, hub.endpoint, HF_TOKEN="hf_read_only_token")
    line = assert_one_line_error(run_hub(env, "model", "owner/digit-cnn", "--root", str(root)))
    assert "lacks write access to the 'owner' namespace" in line
    assert not hub.committed


def test_space_needing_a_paid_plan_suggests_the_alternatives(tmp_path, fake_hub):
    message = (
        "Static Spaces are free for everyone, but hosting Gradio and Docker Spaces on free cpu-basic "
        "requires a PRO subscription. Subscribe at https://huggingface.co/pro"
    )
    hub = fake_hub(refuse_create=(402, message))
    root = write_checkout(tmp_path / "checkout")
    env = hub_env(tmp_path, hub.endpoint, HF_TOKEN="hf_free_account_token")
    line = assert_one_line_error(run_hub(env, "space", "owner/draw-a-digit", "--root", str(root)))
    assert "needs a paid plan" in line and "PRO subscription" in line
    assert "python -m digit_recognizer.hub model owner/" in line and "python app.py" in line
    assert "duplicate the Space in the browser" in line
    assert not hub.committed


# --- Uploads against a local stand-in for the Hub's API --------------------------------------


def test_space_upload_creates_a_gradio_space_and_commits_exactly_the_selected_files(tmp_path, fake_hub):
    hub = fake_hub()
    root = write_checkout(tmp_path / "checkout")
    env = hub_env(tmp_path, hub.endpoint, HF_TOKEN="hf_write_token")
    result = run_hub(env, "space", "owner/draw-a-digit", "--private", "--root", str(root))
    assert result.returncode == 0, result.stderr
    created = hub.created()
    assert (created["type"], created["sdk"], created["organization"], created["name"]) == (
        "space", "gradio", "owner", "draw-a-digit"
    )
    assert created["visibility"] == "private"
    assert hub.committed == {name: (root / name).read_bytes() for name in SPACE_FILES}
    assert f"{hub.endpoint}/spaces/owner/draw-a-digit" in result.stdout


def test_space_upload_with_model_repo_sets_the_variable_and_leaves_the_model_home(tmp_path, fake_hub):
    hub = fake_hub()
    root = write_checkout(tmp_path / "checkout")
    env = hub_env(tmp_path, hub.endpoint, HF_TOKEN="hf_write_token")
    result = run_hub(env, "space", "owner/draw-a-digit", "--root", str(root), "--model-repo", "owner/digit-cnn")
    assert result.returncode == 0, result.stderr
    variables = "/api/spaces/owner/draw-a-digit/variables"
    (variable,) = [json.loads(body) for _, path, body in hub.requests if path == variables]
    assert (variable["key"], variable["value"]) == ("MODEL_REPO", "owner/digit-cnn")
    assert set(hub.committed) == set(SPACE_FILES) - {"cnn_model_v2.h5"}


def test_model_upload_commits_model_metrics_notebook_and_the_rendered_card(tmp_path, fake_hub):
    hub = fake_hub()
    root = write_checkout(tmp_path / "checkout")
    env = hub_env(tmp_path, hub.endpoint, HF_TOKEN="hf_write_token")
    result = run_hub(env, "model", "owner/digit-cnn", "--root", str(root))
    assert result.returncode == 0, result.stderr
    created = hub.created()
    assert (created["type"], created["visibility"], created["name"]) == ("model", "public", "digit-cnn")
    assert "sdk" not in created
    assert hub.committed == {
        "cnn_model_v2.h5": (root / "cnn_model_v2.h5").read_bytes(),
        "metrics.json": (root / "metrics.json").read_bytes(),
        "CNN_Model_Training.ipynb": (root / "CNN_Model_Training.ipynb").read_bytes(),
        "README.md": rendered_model_card(root, "owner/digit-cnn", None).encode(),
    }


# --- Finding the model: MODEL_REPO, the Hugging Face cache, the local file ------------------


@pytest.mark.parametrize("offline", [{"HF_HUB_OFFLINE": "1"}, {}], ids=["HF_HUB_OFFLINE", "hub unreachable"])
@pytest.mark.parametrize(("call", "model_repo"), [("'owner/digit-cnn'", ""), ("None", "owner/digit-cnn")])
def test_model_repo_is_read_from_a_prefilled_cache_offline(tmp_path, closed_port, call, model_repo, offline):
    cache = tmp_path / "hub_cache"
    snapshot = write_model_cache(cache, "owner/digit-cnn", b"fake h5 weights")
    assert [repo.repo_id for repo in scan_cache_dir(cache).repos] == ["owner/digit-cnn"]  # a layout the library reads
    endpoint = f"http://127.0.0.1:{closed_port}"
    env = hub_env(tmp_path, endpoint, HF_HUB_CACHE=str(cache), MODEL_REPO=model_repo, **offline)
    result = run_model_file(env, call)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == snapshot
    assert Path(result.stdout.strip()).read_bytes() == b"fake h5 weights"


def test_model_repo_missing_from_an_empty_cache_offline_raises_model_not_found(tmp_path):
    env = hub_env(tmp_path, "http://127.0.0.1:9", HF_HUB_OFFLINE="1", HF_HUB_CACHE=str(tmp_path / "empty"))
    result = run_model_file(env, "'owner/digit-cnn'")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith("ModelNotFoundError: cannot load cnn_model_v2.h5 from Hub model repo 'owner/digit-cnn'")
    assert "HF_HUB_OFFLINE=1" in line and "unset MODEL_REPO" in line


def test_malformed_model_repo_raises_model_not_found(tmp_path):
    env = hub_env(tmp_path, "http://127.0.0.1:9", HF_HUB_OFFLINE="1", MODEL_REPO="not a repo")
    result = run_model_file(env, "None")
    assert result.stdout.startswith("ModelNotFoundError: cannot load cnn_model_v2.h5 from Hub model repo 'not a repo'")


@pytest.mark.parametrize("model_present", [True, False])
def test_without_model_repo_the_checkouts_own_model_file_is_used(tmp_path, model_present):
    # A copy of the package in a checkout of its own, so the local model file can be absent.
    (tmp_path / "digit_recognizer").mkdir()
    for module in ("hub.py", "space_files.py"):
        shutil.copy(REPO_ROOT / "digit_recognizer" / module, tmp_path / "digit_recognizer" / module)
    if model_present:
        (tmp_path / "cnn_model_v2.h5").write_bytes(b"weights")
    env = hub_env(tmp_path, "http://127.0.0.1:9", HF_HUB_OFFLINE="1", MODEL_REPO="")
    result = run_model_file(env, "None", cwd=tmp_path)
    if model_present:
        assert Path(result.stdout.strip()) == tmp_path / "cnn_model_v2.h5"
    else:
        assert result.stdout.strip() == (
            f"ModelNotFoundError: {tmp_path / 'cnn_model_v2.h5'} not found: train it by running "
            "CNN_Model_Training.ipynb (it saves cnn_model_v2.h5 at the repository root), "
            "or set MODEL_REPO to a Hub model repo"
        )


# --- The Space's README metadata -------------------------------------------------------------


@pytest.fixture(scope="module")
def space_card() -> SpaceCardData:
    return SpaceCardData(**metadata_load(REPO_ROOT / "README.md"))


def test_readme_metadata_declares_a_gradio_space_running_app_py(space_card):
    assert space_card.sdk == "gradio"
    assert space_card.app_file == "app.py"
    assert (REPO_ROOT / space_card.app_file).is_file()


def test_readme_metadata_sdk_version_equals_the_gradio_pin_in_requirements(space_card):
    requirements = (REPO_ROOT / "requirements.txt").read_text()
    (pin,) = re.findall(r"^gradio==(\S+)\s*$", requirements, re.MULTILINE)
    assert space_card.sdk_version == pin


def test_readme_metadata_python_version_is_the_tested_python(space_card):
    assert space_card.python_version == "3.11"
    assert space_card.python_version == f"{sys.version_info.major}.{sys.version_info.minor}"


def test_readme_metadata_has_license_short_description_and_model_links(space_card):
    assert space_card.license
    assert 0 < len(space_card.short_description) <= 60  # the Hub rejects longer ones
    assert space_card.models
    for model in space_card.models:
        validate_repo_id(model)
        assert model.count("/") == 1


def test_published_readme_names_the_users_space_and_model_repo(tmp_path, fake_hub):
    hub = fake_hub()
    root = write_checkout(tmp_path / "checkout")
    (root / "README.md").write_bytes((REPO_ROOT / "README.md").read_bytes())
    env = hub_env(tmp_path, hub.endpoint, HF_TOKEN="hf_write_token")
    result = run_hub(env, "space", "someone/digits", "--root", str(root), "--model-repo", "someone/cnn")
    assert result.returncode == 0, result.stderr
    published = hub.committed["README.md"].decode()
    assert "digit-recognizer/" not in published
    # The Open-in-Colab badge opens the notebook from the model repo (`hub model` uploads it there).
    assert "colab.research.google.com/#fileId=https%3A//huggingface.co/someone/cnn/blob/main/CNN_Model_Training.ipynb" in published
    assert SpaceCard(published).data.models == ["someone/cnn"]

"""`python -m digit_recognizer.hub static`: web/ published as a free static Space, against the local Hub stand-in."""
import shutil

import pytest
from huggingface_hub import SpaceCardData, metadata_load

from conftest import REPO_ROOT
from digit_recognizer.static_space import site_files
from test_hub import assert_one_line_error, closed_port, fake_hub, hub_env, run_hub  # noqa: F401  (fixtures)

SITE = ["README.md", "cuts.js", "drawings.js", "frames.js", "index.html", "kinds.js", "lines.js", "model.json", "model.onnx", "opencv.js", "page.css", "page.js", "preprocess.js",
        "reader.js", "recognizer.js", "segment.js", "vendor/README.md", "vendor/ort-wasm-simd-threaded.wasm.gz",
        "vendor/ort.wasm.bundle.min.mjs"]


@pytest.fixture
def checkout(tmp_path):
    """A copy of this checkout's web/ and model (a plain folder, no git), with a tool file and a cache beside."""
    root = tmp_path / "checkout"
    shutil.copytree(REPO_ROOT / "web", root / "web", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "cnn_model_v2.h5", root)
    (root / "web" / "__pycache__").mkdir()
    (root / "web" / "__pycache__" / "export_model.cpython-311.pyc").write_bytes(b"x")
    return root


def test_repository_site_is_the_page_its_scripts_the_model_and_the_runtime():
    assert [path.as_posix() for path in site_files(REPO_ROOT)] == SITE


def test_static_readme_declares_a_static_space_opening_index_html():
    card = SpaceCardData(**metadata_load(REPO_ROOT / "web" / "README.md"))
    assert card.sdk == "static" and card.app_file == "index.html"
    assert len(card.short_description) <= 60 and card.license == "mit"


def test_static_dry_run_lists_the_site_and_sends_nothing(tmp_path, checkout, closed_port):
    env = hub_env(tmp_path, f"http://127.0.0.1:{closed_port}", HF_TOKEN="hf_not_a_real_token")
    result = run_hub(env, "static", "owner/digits-web", "--dry-run", "--root", str(checkout))
    assert result.returncode == 0, result.stderr
    assert "static Space owner/digits-web" in result.stdout and "free" in result.stdout
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ") and "." in line.split()[0]]
    assert listed == SITE
    assert "export_model.py" not in result.stdout and "vendor.mjs" not in result.stdout


def test_static_upload_creates_a_static_space_and_commits_the_site(tmp_path, checkout, fake_hub):
    hub = fake_hub()
    env = hub_env(tmp_path, hub.endpoint, HF_TOKEN="hf_write_token")
    result = run_hub(env, "static", "owner/digits-web", "--root", str(checkout))
    assert result.returncode == 0, result.stderr
    created = hub.created()
    assert (created["type"], created["sdk"], created["organization"], created["name"]) == (
        "space", "static", "owner", "digits-web")
    assert sorted(hub.committed) == SITE
    assert hub.committed["model.onnx"] == (checkout / "web" / "model.onnx").read_bytes()
    assert "sdk: static" in hub.committed["README.md"].decode()
    assert f"{hub.endpoint}/spaces/owner/digits-web" in result.stdout


def test_export_of_another_model_is_refused_with_the_command_that_fixes_it(tmp_path, checkout, closed_port):
    (checkout / "cnn_model_v2.h5").write_bytes(b"a retrained model")
    env = hub_env(tmp_path, f"http://127.0.0.1:{closed_port}")
    line = assert_one_line_error(run_hub(env, "static", "owner/digits-web", "--dry-run", "--root", str(checkout)))
    assert "python web/export_model.py" in line


def test_missing_runtime_names_the_command_that_vendors_it(tmp_path, checkout, closed_port):
    shutil.rmtree(checkout / "web" / "vendor")
    env = hub_env(tmp_path, f"http://127.0.0.1:{closed_port}")
    line = assert_one_line_error(run_hub(env, "static", "owner/digits-web", "--dry-run", "--root", str(checkout)))
    assert "web/vendor/ort.wasm.bundle.min.mjs" in line and "npm run vendor" in line


def test_unreachable_hub_and_refusals_are_one_line_errors(tmp_path, checkout, closed_port, fake_hub):
    endpoint = f"http://127.0.0.1:{closed_port}"
    env = hub_env(tmp_path, endpoint, HF_TOKEN="hf_not_a_real_token")
    line = assert_one_line_error(run_hub(env, "static", "owner/digits-web", "--root", str(checkout)))
    assert line.startswith(f"error: cannot reach the Hugging Face Hub at {endpoint}")
    hub = fake_hub(refuse_create=(403, "You don't have the rights to create a space under the namespace \"owner\""))
    env = hub_env(tmp_path, hub.endpoint, HF_TOKEN="hf_read_only_token")
    line = assert_one_line_error(run_hub(env, "static", "owner/digits-web", "--root", str(checkout)))
    assert "lacks write access to the 'owner' namespace" in line and not hub.committed
    assert "token" in assert_one_line_error(run_hub(hub_env(tmp_path, hub.endpoint), "static", "owner/x",
                                                    "--root", str(checkout)))

"""A developer's mistake stops `python app.py` at once with one clear line: no model file, a corrupt
one, a MODEL_REPO that cannot be reached. No traceback, and no TensorFlow chatter around it or
around a good start.

Each run uses a copy of app.py and the package in a checkout of its own, so that the model file can
be missing or damaged without touching the repository's (the app finds it beside app.py, as a Space
does; no setting exists only for these tests).
"""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, free_port, start_app
from digit_recognizer.recognizer import ABSL_BANNER, ABSL_LINE

START_UP_SECONDS = 60  # measured 1–2 s without TensorFlow, 5–10 s with it on a busy 2-core machine
MODEL = "cnn_model_v2.h5"


def checkout_with(folder: Path, model: bytes | None) -> Path:
    """app.py, the package and the examples in `folder`, with `model` as the model file (None: no file)."""
    shutil.copy(REPO_ROOT / "app.py", folder / "app.py")
    for name in ("digit_recognizer", "examples"):
        shutil.copytree(REPO_ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    if model is not None:
        (folder / MODEL).write_bytes(model)
    return folder


def start(checkout: Path, **settings: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run `python app.py` in `checkout` with no inherited Hub or TensorFlow settings; its result and seconds."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HF_", "HUGGING_FACE_", "GRADIO_", "TF_")) and key != "MODEL_REPO"
    }
    environment.update(
        GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(free_port()), GRADIO_ANALYTICS_ENABLED="False",
        HF_HOME=str(checkout / "hf_home"), HF_HUB_DISABLE_TELEMETRY="1", **settings,
    )
    began = time.monotonic()
    result = subprocess.run([sys.executable, "app.py"], cwd=checkout, env=environment, capture_output=True,
                            text=True, timeout=START_UP_SECONDS)
    return result, time.monotonic() - began


def the_one_line(result: subprocess.CompletedProcess) -> str:
    """What the app printed, asserted to be a single `error:` line and an exit code that says failure."""
    printed = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(printed) == 1, "\n".join(printed)
    assert printed[0].startswith("error: ")
    return printed[0]


def test_missing_model_file_names_it_and_the_notebook_that_makes_it(tmp_path):
    checkout = checkout_with(tmp_path, model=None)
    result, seconds = start(checkout)
    line = the_one_line(result)
    assert str(checkout / MODEL) in line and "not found" in line
    assert "CNN_Model_Training.ipynb" in line and "MODEL_REPO" in line
    assert seconds < START_UP_SECONDS


@pytest.mark.parametrize(
    ("damage", "advice"),
    [
        ("garbage", "git checkout cnn_model_v2.h5"),
        ("truncated", "git checkout cnn_model_v2.h5"),
        ("git lfs pointer", "git lfs pull"),
    ],
)
def test_corrupt_model_file_names_it_and_how_to_restore_it(tmp_path, damage, advice):
    real = (REPO_ROOT / MODEL).read_bytes()
    model = {
        "garbage": b"not an HDF5 file, just some bytes\n" * 10,
        "truncated": real[: len(real) // 3],  # an interrupted download or copy
        "git lfs pointer": b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64
        + f"\nsize {len(real)}\n".encode(),  # cloned without git-lfs installed
    }[damage]
    checkout = checkout_with(tmp_path, model)
    result, seconds = start(checkout)
    line = the_one_line(result)
    assert str(checkout / MODEL) in line and advice in line
    assert seconds < START_UP_SECONDS


@pytest.mark.parametrize("hub", ["HF_HUB_OFFLINE=1", "endpoint refuses connections"])
def test_unreachable_model_repo_names_the_repo_and_what_to_do(tmp_path, hub):
    checkout = checkout_with(tmp_path, model=None)
    empty_cache = tmp_path / "empty_cache"
    settings = {"MODEL_REPO": "owner/digit-cnn", "HF_HUB_CACHE": str(empty_cache),
                "HF_ENDPOINT": f"http://127.0.0.1:{free_port()}"}  # a port nothing listens on
    if hub == "HF_HUB_OFFLINE=1":
        settings["HF_HUB_OFFLINE"] = "1"
    result, seconds = start(checkout, **settings)
    line = the_one_line(result)
    assert "cnn_model_v2.h5 from Hub model repo 'owner/digit-cnn'" in line
    assert ("HF_HUB_OFFLINE=1 is set" if hub == "HF_HUB_OFFLINE=1" else "unreachable") in line
    assert str(empty_cache) in line and "unset MODEL_REPO" in line
    assert seconds < START_UP_SECONDS


def test_a_good_start_prints_only_where_the_app_runs():
    """TensorFlow logs oneDNN and CUDA notices at every start, twice, ignoring TF_CPP_MIN_LOG_LEVEL
    (TensorFlow 2.21): app.py's level now applies to them too."""
    process = start_app(free_port(), env={"TF_CPP_MIN_LOG_LEVEL": None, "MODEL_REPO": None})
    process.terminate()
    process.wait(timeout=30)
    process.log.seek(0)
    output = process.log.read()
    chatter = [line for line in output.splitlines() if ABSL_LINE.match(line.encode()) or ABSL_BANNER.decode() in line]
    assert chatter == []
    assert "Running on local URL:  http://127.0.0.1:" in output

"""Shared fixtures: where the repo and the MNIST file are, and the MNIST test split."""
import os
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    """The local MNIST file: $MNIST_PATH, else ../shared/data/mnist.npz beside the repo."""
    path = Path(os.environ.get("MNIST_PATH", REPO_ROOT.parent / "shared" / "data" / "mnist.npz"))
    if not path.exists():
        pytest.fail(f"MNIST not found at {path}: set MNIST_PATH to a local mnist.npz")
    return path


@pytest.fixture(scope="session")
def mnist_test(mnist_path) -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 MNIST test images (uint8, 28×28, white ink on black) and their labels."""
    with np.load(mnist_path) as data:
        return data["x_test"], data["y_test"]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_app(port: int, env: dict | None = None, timeout: float = 120.0):
    """Start `python app.py` on 127.0.0.1:`port`; return the process once it answers HTTP.

    `env` adds to this process's environment; a None value removes that variable.
    """
    import subprocess
    import sys
    import tempfile
    import time
    import urllib.request

    environment = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
                   "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})}
    environment = {name: value for name, value in environment.items() if value is not None}
    # The server's output goes to a file, not a pipe: a pipe nobody reads blocks a chatty server.
    log = tempfile.NamedTemporaryFile("w+", prefix=f"app-{port}-", suffix=".log", delete=False)
    process = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=environment,
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log_path = log.name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app.py exited with {process.returncode}:\n{Path(log.name).read_text()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/gradio_api/info", timeout=2)
            return process
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise RuntimeError(f"app.py did not answer on port {port} within {timeout:.0f} s")


@pytest.fixture(scope="session")
def served_app():
    """The real app, served once for the whole test session: its URL and its process."""
    port = free_port()
    process = start_app(port)
    yield f"http://127.0.0.1:{port}", process
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def app_url(served_app) -> str:
    return served_app[0]

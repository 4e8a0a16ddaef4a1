"""Shared fixtures: where the repo and the MNIST file are, and the MNIST test split."""
from pathlib import Path

import numpy as np
import pytest

from benchmarks import inputs, server
from benchmarks.server import REPO_ROOT, free_port  # noqa: F401  (tests import them from here)


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    """The local MNIST file: $MNIST_PATH, else ../shared/data/mnist.npz beside the repo."""
    if not inputs.MNIST_PATH.exists():
        pytest.fail(f"MNIST not found at {inputs.MNIST_PATH}: set MNIST_PATH to a local mnist.npz")
    return inputs.MNIST_PATH


@pytest.fixture(scope="session")
def mnist_test(mnist_path) -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 MNIST test images (uint8, 28×28, white ink on black) and their labels."""
    return inputs.mnist_test()


def start_app(port: int, env: dict | None = None, timeout: float = 120.0):
    """Start `python app.py` on 127.0.0.1:`port`; return the process once it answers HTTP.

    `env` adds to this process's environment; a None value removes that variable. The server's
    output is in `process.log` (a file: a pipe nobody reads would block a chatty server).
    """
    process = server.launch(server.APP, port, env)
    server.wait_until_up(process, f"http://127.0.0.1:{port}", timeout)
    return process


@pytest.fixture(scope="session")
def served_app():
    """The real app, served once for the whole test session: its URL and its process."""
    port = free_port()
    process = start_app(port)
    yield f"http://127.0.0.1:{port}", process
    server.stop(process)


@pytest.fixture(scope="session")
def app_url(served_app) -> str:
    return served_app[0]

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

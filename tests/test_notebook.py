"""The training notebook runs headless, writes a model of the card's architecture, metrics (with its calibration)
and a Kaggle file."""
import inspect
import json
import os

import keras
import nbformat
import numpy as np
import papermill
import pytest

from conftest import REPO_ROOT
from digit_recognizer import model_card as model_card_module

NOTEBOOK = REPO_ROOT / "CNN_Model_Training.ipynb"
METRIC_KEYS = {
    "test_accuracy", "test_loss", "per_class_accuracy", "epochs", "batch_size",
    "training_seconds", "tensorflow_version", "keras_version", "data_sha256",
    "temperature", "energy_threshold", "calibration", "false_rejection", "validation_images", "outlier_images",
}
QUICKDRAW_PATH = os.environ.get("QUICKDRAW_PATH", str(REPO_ROOT.parent / "shared" / "data" / "quickdraw_6.npz"))
PENDIGITS_PATH = os.environ.get("PENDIGITS_PATH", str(REPO_ROOT.parent / "shared" / "data" / "pendigits_train.npz"))
OPTDIGITS_PATH = os.environ.get("OPTDIGITS_PATH", str(REPO_ROOT.parent / "shared" / "data" / "optdigits_train.npz"))
KAGGLE_IMAGES = 25


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, mnist_test, mnist_path):
    """One short run (2,000 images, 1 epoch, Quick, Draw! doodles, pendigits, optdigits) in a temporary directory,
    with a Kaggle test.csv."""
    workdir = tmp_path_factory.mktemp("notebook")
    images = mnist_test[0][:KAGGLE_IMAGES].reshape(KAGGLE_IMAGES, 784)
    header = ",".join(f"pixel{index}" for index in range(784))
    np.savetxt(workdir / "test.csv", images, fmt="%d", delimiter=",", header=header, comments="")
    papermill.execute_notebook(
        str(NOTEBOOK), str(workdir / "executed.ipynb"), cwd=str(workdir), progress_bar=False,
        parameters={"MNIST_PATH": str(mnist_path), "TRAIN_LIMIT": 2000, "EPOCHS": 1, "QUICKDRAW_PATH": QUICKDRAW_PATH,
                    "PENDIGITS_PATH": PENDIGITS_PATH,
                    "OPTDIGITS_PATH": OPTDIGITS_PATH, "OUTPUT_DIR": "out", "KAGGLE_TEST_CSV": "test.csv"},
    )
    return workdir / "out", images


def test_first_code_cell_is_the_tagged_parameters_cell():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    first_code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert "parameters" in first_code.metadata.get("tags", [])
    for assignment in ("EPOCHS = 15", "BATCH_SIZE = 128", "MNIST_PATH = None", "TRAIN_LIMIT = None",
                       'OUTPUT_DIR = "."', "SEED =", "KAGGLE_TEST_CSV = None", "PUSH_TO_HUB = False",
                       "QUICKDRAW_PATH = None", "PENDIGITS_PATH = None", "OPTDIGITS_PATH = None"):
        assert assignment in first_code.source


def test_notebook_needs_nothing_from_the_repo():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    # papermill's injected-parameters cell records how the shipped run was called; it is not code a user runs.
    source = "\n".join(cell.source for cell in cells if "injected-parameters" not in cell.metadata.get("tags", []))
    assert "digit_recognizer" not in source.replace("digit_recognizer/model_card.py", "")
    assert "/work/" not in source and "../shared" not in source


def test_notebook_card_functions_are_the_packages_card_functions():
    module = inspect.getsource(model_card_module)
    functions = module[module.index("def model_card("):].strip()  # model_card and its helpers, in order
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert any(cell.source.strip() == functions for cell in notebook.cells)


def test_written_model_has_the_cards_architecture(smoke_run):
    output_dir, _ = smoke_run
    model = keras.models.load_model(output_dir / "cnn_model_v2.h5", compile=False)
    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [layer.filters for layer in convolutions] == [32, 64, 128]
    assert all(tuple(layer.kernel_size) == (3, 3) for layer in convolutions)
    assert sum(isinstance(layer, keras.layers.MaxPooling2D) for layer in model.layers) == 3
    assert any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers)
    assert [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)][0] == 0.25
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [128, 10]
    last = model.layers[-1]
    assert last.activation is keras.activations.linear
    assert isinstance(last.kernel_regularizer, keras.regularizers.L2) and last.kernel_regularizer.l2 > 0


def test_written_model_maps_frames_to_logits(smoke_run):
    output_dir, _ = smoke_run
    model = keras.models.load_model(output_dir / "cnn_model_v2.h5", compile=False)
    logits = np.asarray(model(np.random.default_rng(0).random((5, 28, 28, 1), dtype=np.float32)))
    assert logits.shape == (5, 10)
    assert not np.allclose(logits.sum(axis=1), 1.0)  # logits, not probabilities


def test_metrics_json_is_written_with_every_key(smoke_run):
    output_dir, _ = smoke_run
    metrics = json.loads((output_dir / "metrics.json").read_text())
    assert METRIC_KEYS <= metrics.keys()
    assert metrics["epochs"] == 1 and metrics["batch_size"] == 128
    assert (metrics["train_images"], metrics["validation_images"]) == (1800, 200)  # a tenth held out, at most 5,000
    assert sorted(metrics["per_class_accuracy"]) == [str(digit) for digit in range(10)]
    assert 0.0 <= metrics["test_accuracy"] <= 1.0 and metrics["training_seconds"] > 0
    assert metrics["temperature"] > 0 and np.isfinite(metrics["energy_threshold"])
    assert metrics["outlier_images"] > 1000  # doodles and generated drawings, less the held-out tenth


def test_temperature_is_fitted_on_some_pendigits_writers_and_measured_on_the_others(smoke_run):
    output_dir, _ = smoke_run
    metrics = json.loads((output_dir / "metrics.json").read_text())
    assert metrics["temperature_fit"].startswith("200 MNIST training digits held out")
    assert metrics["temperature_fit"].endswith("digits of pendigits, writers 1–15")
    assert "pendigits, writers 16–30" in metrics["calibration"] and "pendigits" not in metrics["calibration"]
    assert metrics["calibration"]["optdigits"]["count"] == 1934  # no writers given: all measure
    assert metrics["calibration"]["pendigits, writers 16–30"]["count"] == 3745  # of 7,494: the other 3,749 fit T
    assert {"pendigits, writers 1–15", "pendigits, writers 16–30"} <= metrics["false_rejection"].keys()


def test_written_metrics_give_the_recognizer_its_temperature_and_threshold(smoke_run):
    from digit_recognizer import DigitRecognizer

    output_dir, _ = smoke_run
    metrics = json.loads((output_dir / "metrics.json").read_text())
    recognizer = DigitRecognizer.load(output_dir / "cnn_model_v2.h5")
    assert (recognizer.temperature, recognizer.energy_threshold) == (metrics["temperature"], metrics["energy_threshold"])


def test_kaggle_submission_holds_the_models_predictions(smoke_run):
    output_dir, images = smoke_run
    lines = (output_dir / "submission.csv").read_text().splitlines()
    assert lines[0] == "ImageId,Label"
    rows = [tuple(int(value) for value in line.split(",")) for line in lines[1:]]
    assert [image_id for image_id, _ in rows] == list(range(1, KAGGLE_IMAGES + 1))
    model = keras.models.load_model(output_dir / "cnn_model_v2.h5", compile=False)
    expected = np.argmax(np.asarray(model(images.reshape(-1, 28, 28, 1).astype(np.float32) / 255.0)), axis=1)
    assert [label for _, label in rows] == expected.tolist()

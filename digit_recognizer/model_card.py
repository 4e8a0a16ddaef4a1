"""The Hub model card for the trained CNN, written from the metrics.json of a training run.

`model_card` is also pasted verbatim into CNN_Model_Training.ipynb (a test keeps the two
identical) so that the notebook can publish from Colab without this repository.
"""


def model_card(metrics: dict, repo_id: str, space_id: str | None = None, license: str = "mit"):
    """Return a huggingface_hub.ModelCard describing the model that produced `metrics`."""
    from huggingface_hub import EvalResult, ModelCard, ModelCardData

    accuracy = float(metrics["test_accuracy"])
    loss = float(metrics["test_loss"])
    model_name = repo_id.split("/")[-1]
    card_data = ModelCardData(
        model_name=model_name,
        library_name="keras",
        license=license,
        datasets=["ylecun/mnist"],
        metrics=["accuracy"],
        pipeline_tag="image-classification",
        tags=["keras", "tensorflow", "image-classification", "mnist", "cnn", "handwritten-digits"],
        eval_results=[
            EvalResult(
                task_type="image-classification",
                task_name="Handwritten digit classification",
                dataset_type="ylecun/mnist",
                dataset_name="MNIST",
                dataset_split="test",
                metric_type="accuracy",
                metric_name="Test accuracy",
                metric_value=accuracy,
            )
        ],
    )
    per_class = metrics.get("per_class_accuracy", {})
    per_class_rows = "\n".join(f"| {digit} | {float(value):.4f} |" for digit, value in sorted(per_class.items()))
    calibration_section = _calibration_section(metrics)
    space_line = f"Try it in the Space [{space_id}](https://huggingface.co/spaces/{space_id}).\n\n" if space_id else ""
    body = f"""
# {model_name}: a small CNN for handwritten digits

{space_line}A Keras convolutional network trained on MNIST with augmentation (rotation, shift, zoom,
stroke width) so that it reads digits people draw, not just MNIST scans, and with non-digit
drawings (letters, symbols, shapes, scribbles, doodles) in every batch so that it can say
"that is not a digit".

## Results (MNIST test split, 10,000 images)

| metric | value |
|---|---|
| accuracy | {accuracy:.4f} |
| loss (cross-entropy on logits) | {loss:.4f} |

| digit | accuracy |
|---|---|
{per_class_rows}
{calibration_section}
## How it was trained

Conv2D 32 → 64 → 128 (3×3, 'same' padding, BatchNorm, ReLU, 2×2 max-pool after each),
Dropout 0.25, Dense 128, Dense 10 with a linear output and an L2 kernel regularizer.
Loss: categorical cross-entropy from logits (one-hot for digits, uniform for the non-digit drawings
added to each batch: Quick, Draw! doodles; letters, symbols, shapes and scribbles generated from
Matplotlib's fonts and OpenCV strokes; and pairs of touching training digits framed as one drawing),
plus an energy margin. The digits include pieces cut from rows of touching training digits (each
piece keeps its digit's label), as the app's reader cuts a number. `ImageDataGenerator` augmentation.
{metrics.get("epochs")} epochs, batch size {metrics.get("batch_size")} digits (+ {metrics.get("outliers_per_batch", 0)} non-digits),
{metrics.get("train_images")} training images ({metrics.get("validation_images", 0)} more held out for calibration),
{float(metrics.get("training_seconds", 0.0)):.0f} s of training on {metrics.get("hardware", "CPU")}
(TensorFlow {metrics.get("tensorflow_version")}, Keras {metrics.get("keras_version")}).
Training data sha256: `{metrics.get("data_sha256")}`.

## How to use it

The model outputs **logits**. Probabilities are `softmax(logits / temperature)`, and a drawing
whose energy `-logsumexp(logits)` is above `energy_threshold` is not a digit (both in
`metrics.json`). Input: float32 of shape
(n, 28, 28, 1) in [0, 1], white ink on black, digit scaled to fit 20×20 and centred by
mass in the 28×28 frame (as MNIST was made).

```python
import json

import keras
import numpy as np
from huggingface_hub import hf_hub_download

path = hf_hub_download("{repo_id}", "cnn_model_v2.h5")
model = keras.models.load_model(path, compile=False)
metrics = json.load(open(hf_hub_download("{repo_id}", "metrics.json")))
frames = np.zeros((1, 28, 28, 1), dtype="float32")  # your preprocessed digits
logits = np.asarray(model(frames), dtype="float64")
probabilities = keras.ops.softmax(logits / metrics.get("temperature", 1.0)).numpy()
energy = -np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1)) - logits.max(1)
is_digit = energy <= metrics.get("energy_threshold", np.inf)
```

## Intended use

Recognising single handwritten digits 0–9, for demos and teaching.

## Limits

- One digit per image. There is no eleventh class: "not a digit" is the energy threshold above,
  tuned on digits, so a blank image must be rejected by the caller, and letters shaped like a
  digit (O o l I S Z b g q) may well be read as 0, 1, 2, 5, 6 or 9.
- Raw photos or canvases must be preprocessed to MNIST's framing first (crop to the ink,
  scale to 20 px, centre by mass); fed unframed images, accuracy drops sharply.
- MNIST is American writers' digits: styles far from it (e.g. a crossed 7, a 1 with a
  long flag) are read less reliably.
"""
    return ModelCard(f"---\n{card_data.to_yaml()}\n---\n{body}")


def _calibration_section(metrics: dict) -> str:
    """The card's "Calibration and not a digit" section, from what the run measured ("" for older runs)."""
    if "temperature" not in metrics:
        return ""
    calibration_rows = "\n".join(
        f"| {name} | {row['count']:,} | {float(row['accuracy']):.2%} | {float(row['ece_before']):.2%} | "
        f"{float(row['ece_after']):.2%} |" for name, row in metrics.get("calibration", {}).items())
    fitted_on = metrics.get("temperature_fit") or (
        f"{metrics.get('validation_images')} MNIST training digits held out from training")
    rejected_digits = "\n".join(f"| digits: {name} | {float(rate):.2%} |"
                                 for name, rate in metrics.get("false_rejection", {}).items())
    rejected_others = "\n".join(f"| non-digits: {name} | {float(rate):.2%} |"
                                 for name, rate in metrics.get("rejection", {}).items())
    return f"""
## Calibration and "not a digit"

Temperature **{float(metrics["temperature"]):.3f}**, fitted (lowest log-likelihood loss) on {fitted_on}.
Expected calibration error, 15 bins, on digits it was not fitted on:

| digits | count | accuracy | ECE, plain softmax | ECE, with the temperature |
|---|---|---|---|---|
{calibration_rows}

pendigits (UCI, pen trajectories of 30 writers, drawn with a pen of random width) and optdigits
(UCI, 32×32 bitmaps of 30 writers) are other people's handwriting, framed as MNIST.

"Not a digit": energy above **{float(metrics["energy_threshold"]):.3f}**, the threshold that rejects
{float(metrics.get("false_rejection_target", 0)):.1%} of the held-out digits. Share rejected:

| drawings | rejected |
|---|---|
{rejected_digits}
{rejected_others}

The non-digits here were never trained on: letters and symbols typed in OpenCV's Hershey fonts
(a style the model never saw), and a held-out tenth of the training generators' drawings.
"""

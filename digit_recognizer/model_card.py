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
    space_line = f"Try it in the Space [{space_id}](https://huggingface.co/spaces/{space_id}).\n\n" if space_id else ""
    body = f"""
# {model_name}: a small CNN for handwritten digits

{space_line}A Keras convolutional network trained on MNIST with augmentation (rotation, shift, zoom,
stroke width) so that it reads digits people draw, not just MNIST scans.

## Results (MNIST test split, 10,000 images)

| metric | value |
|---|---|
| accuracy | {accuracy:.4f} |
| loss (cross-entropy on logits) | {loss:.4f} |

| digit | accuracy |
|---|---|
{per_class_rows}

## How it was trained

Conv2D 32 → 64 → 128 (3×3, 'same' padding, BatchNorm, ReLU, 2×2 max-pool after each),
Dropout 0.25, Dense 128, Dense 10 with a linear output and an L2 kernel regularizer.
Loss: sparse categorical cross-entropy from logits. `ImageDataGenerator` augmentation.
{metrics.get("epochs")} epochs, batch size {metrics.get("batch_size")}, {metrics.get("train_images")} training images,
{float(metrics.get("training_seconds", 0.0)):.0f} s of training on {metrics.get("hardware", "CPU")}
(TensorFlow {metrics.get("tensorflow_version")}, Keras {metrics.get("keras_version")}).
Training data sha256: `{metrics.get("data_sha256")}`.

## How to use it

The model outputs **logits**: apply a softmax for probabilities. Input: float32 of shape
(n, 28, 28, 1) in [0, 1], white ink on black, digit scaled to fit 20×20 and centred by
mass in the 28×28 frame (as MNIST was made).

```python
import keras
import numpy as np
from huggingface_hub import hf_hub_download

path = hf_hub_download("{repo_id}", "cnn_model_v2.h5")
model = keras.models.load_model(path, compile=False)
frames = np.zeros((1, 28, 28, 1), dtype="float32")  # your preprocessed digits
probabilities = keras.ops.softmax(model(frames)).numpy()
```

## Intended use

Recognising single handwritten digits 0–9, for demos and teaching.

## Limits

- One digit per image; it always answers one of 0–9 (no "not a digit" class), so the
  caller must reject blank or non-digit input.
- Raw photos or canvases must be preprocessed to MNIST's framing first (crop to the ink,
  scale to 20 px, centre by mass); fed unframed images, accuracy drops sharply.
- MNIST is American writers' digits: styles far from it (e.g. a crossed 7, a 1 with a
  long flag) are read less reliably.
"""
    return ModelCard(f"---\n{card_data.to_yaml()}\n---\n{body}")

"""The Space: draw a digit or upload a photo of one, and see the model's top-3 guesses live.

Layout and wiring only; what each event does lives in digit_recognizer/page.py.
"""
import os
import sys
from functools import partial
from pathlib import Path

# Keep TensorFlow's start-up chatter out of the logs, so that a start-up error is the one line to read.
# 3 hides its ERROR lines too: on a CPU-only machine the one it logs is the failed cuInit (no GPU);
# real failures raise Python exceptions. DigitRecognizer.load applies the level to what TensorFlow logs
# while it loads, which TensorFlow itself does not.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Gradio's queue rebuilds a pandas summary of up to 10,000 past events after every event (for its
# monitoring page): ~1 ms at 100 events, ~6 ms at 10,000. Refreshing it every 1,000 events keeps
# the server's cost per request flat under load (benchmarks/load.py).
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")

import gradio as gr

from digit_recognizer import page
from digit_recognizer.hub import ModelNotFoundError
from digit_recognizer.recognizer import DigitRecognizer, ModelLoadError

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
MAX_FILE_SIZE = "10mb"
# The Sketchpad opens with no tool chosen ("select the draw tool to start"): pick the brush for
# the visitor as soon as the canvas exists, and again whenever the editor falls back to no tool
# (after Clear). A visitor's own choice of the eraser is left alone.
SELECT_BRUSH_JS = """
() => {
    const pickBrush = () => {
        const tools = document.querySelectorAll('#sketchpad button[aria-label="Brush"], #sketchpad button[aria-label="Erase"]');
        const brush = document.querySelector('#sketchpad button[aria-label="Brush"]');
        const noToolChosen = [...tools].every((tool) => !tool.classList.contains("highlight"));
        if (brush && noToolChosen) brush.click();
    };
    new MutationObserver(pickBrush).observe(document.body, {childList: true, subtree: true, attributes: true, attributeFilter: ["class"]});
    pickBrush();
}
"""
CLEAR_CANVAS_JS = """() => { document.querySelector('#sketchpad button[aria-label="Clear canvas"]')?.click(); }"""


def load_recognizer_or_exit() -> DigitRecognizer:
    """A developer's mistake (no model, a corrupt one, an unreachable MODEL_REPO) stops start-up with one line."""
    try:
        return DigitRecognizer.load()
    except (ModelNotFoundError, ModelLoadError) as error:
        sys.exit(f"error: {error}")


recognizer = load_recognizer_or_exit()
examples = sorted(str(path) for path in EXAMPLES_DIR.iterdir() if path.suffix in (".png", ".jpg"))

with gr.Blocks(title="Handwritten digit recognizer") as demo:
    gr.Markdown(
        "# ✍️ Handwritten digit recognizer\n"
        "Draw a digit, or upload a photo of one: a small CNN trained on MNIST shows its top three "
        "guesses. Big or small, thick or thin, anywhere on the canvas: it is framed the way MNIST was."
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            with gr.Tab("Draw", id="draw"):
                sketchpad = gr.Sketchpad(
                    label="Draw a digit",
                    type="numpy",
                    image_mode="RGBA",
                    canvas_size=(400, 400),
                    height=540,
                    fixed_canvas=True,
                    brush=gr.Brush(default_size=22, colors=["#000000"], default_color="#000000", color_mode="fixed"),
                    layers=False,
                    transforms=(),
                    format="png",
                    elem_id="sketchpad",
                )
                with gr.Row():
                    clear_button = gr.Button("Clear", elem_id="clear")
                    predict_drawing_button = gr.Button("Predict", variant="primary", elem_id="predict-drawing")
            with gr.Tab("Upload", id="upload"):
                upload = gr.Image(
                    label="Upload a digit: a photo of paper or any image",
                    type="filepath",
                    image_mode=None,
                    sources=["upload", "clipboard"],
                    elem_id="upload",
                )
                predict_upload_button = gr.Button("Predict", variant="primary", elem_id="predict-upload")
                gr.Examples(examples=examples, inputs=upload, label="Examples: real MNIST test digits, drawings and photos")
        with gr.Column(scale=2):
            label = gr.Label(num_top_classes=3, label="Top 3 guesses", elem_id="guesses")
            message = gr.Markdown(page.DRAW_HINT, elem_id="message")
            frame_view = gr.Image(
                label="What the model sees (28×28)", type="numpy", image_mode="L", interactive=False,
                height=page.PREVIEW_SIZE, width=page.PREVIEW_SIZE, buttons=[], elem_id="frame",
            )
    api_trigger = gr.Button(visible=False)
    demo.load(None, js=SELECT_BRUSH_JS)

    outputs = [label, frame_view, message]
    read_drawing = partial(page.view_of_drawing, recognizer)
    read_file = partial(page.view_of_upload, recognizer)
    live = dict(outputs=outputs, show_progress="hidden", api_visibility="private", concurrency_limit=4)
    sketchpad.change(read_drawing, sketchpad, trigger_mode="always_last", **live)
    predict_drawing_button.click(read_drawing, sketchpad, **live)
    # Clear with the editor's own "Clear canvas" button: setting the Sketchpad's value from Python
    # leaves the editor reloading for seconds. The editor's change event then resets the outputs too.
    clear_button.click(lambda: (None, None, page.DRAW_HINT), None, outputs, js=CLEAR_CANVAS_JS,
                       queue=False, api_visibility="private")
    # preprocess=False: the file reaches our own safe decoder, not Gradio's (which fails loudly on bad files).
    upload.change(read_file, upload, preprocess=False, **live)
    predict_upload_button.click(read_file, upload, preprocess=False, **live)
    api_trigger.click(
        lambda payloads: [page.labels_for_uploads(recognizer, payloads)],  # batch=True: a list per output
        upload, label, api_name="predict", preprocess=False,
        # Chosen with benchmarks/load.py (16 clients, one SSL context each, 2 cores), in req/s:
        batch=True,  # waiting requests share one call: ~92 against ~65 one at a time
        max_batch_size=16,  # one batch can take a request from each of 16 clients
        concurrency_limit=2,  # a batch per core: 4 gave ~81; 1 about 2's, but one big photo would hold up all
    )

demo.queue(max_size=256)  # past 256 waiting requests a caller is told "queue full" at once, not kept waiting

if __name__ == "__main__":
    demo.launch(max_file_size=MAX_FILE_SIZE)

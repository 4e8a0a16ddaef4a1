"""The Space: draw a digit or a number, or upload a photo, and see each digit's top-3 guesses and why, live.

Layout and wiring only; what each event does lives in digit_recognizer/page.py.
"""
import os
import sys
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
import numpy as np

from digit_recognizer import page
from digit_recognizer.explain import heatmaps
from digit_recognizer.hub import ModelNotFoundError
from digit_recognizer.recognizer import DigitRecognizer, ModelLoadError

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
CANVAS_SIZE = (800, 800)  # the drawing's pixels; shown at whatever size fits the screen
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
# On a phone the upload's result lies below the photo and the examples: bring it into view once it is there.
SHOW_UPLOAD_RESULT_JS = """(upload) => {
    if (upload && window.matchMedia('(max-width: 640px)').matches) {
        document.querySelector('#results')?.scrollIntoView({behavior: 'smooth', block: 'start'});
    }
}"""
# Clear: the editor's own "Clear canvas" button, and one more Clear counted (the session's state passes through).
CLEAR_CANVAS_JS = """(count, state) => {
    document.querySelector('#sketchpad button[aria-label="Clear canvas"]')?.click();
    return [(count || 0) + 1, state];
}"""
PAGE_CSS = """
#sketchpad canvas { touch-action: none; }  /* a finger draws; it never scrolls or zooms the page */
#number .headline { font-weight: 700; line-height: 1.1; color: var(--body-text-color); }
#number .number { font-size: 4rem; letter-spacing: 0.08em; white-space: pre-line; }  /* a number under another: its own line */
#number .not-a-digit { font-size: 1.6rem; }
#number .left-out, #marks .unsure { color: var(--body-text-color-subdued); }
#guesses.unsure { opacity: 0.6; border-style: dashed; }
#guesses.unsure h2 { visibility: hidden; font-size: 1rem; }  /* no big digit for a non-digit: the faded closest three */
#marks .marks { display: flex; flex-wrap: wrap; gap: 12px; }
#marks figure { margin: 0; }
#marks figcaption { font-size: 0.9rem; margin-bottom: 4px; color: var(--body-text-color); }
#marks figcaption .digit { font-size: 1.4rem; }
#marks .pictures { display: flex; gap: 6px; }
#marks img { image-rendering: pixelated; display: block; flex: none; }
@media (max-width: 640px) {  /* a phone: the canvas as wide as the screen, the guess right below it */
    #intro h1 { font-size: 1.25rem; margin: 0; }
    #intro p { font-size: 0.75rem; line-height: 1.25; margin: 2px 0 0; }
    #sketchpad { height: calc(100vw + 24px) !important; }  /* the editor keeps 30 px around and 40 below */
    #guesses h2 { font-size: 1.5rem; padding: 0; margin: 0; }
    #number .number { font-size: 3rem; }
}
"""
# Gradio scopes PAGE_CSS inside the app's container; the page's side margins lie outside it.
PAGE_HEAD = "<style>@media (max-width: 640px) { .gradio-container .main.app { padding-left: 8px; padding-right: 8px; } }</style>"


def load_recognizer_or_exit() -> DigitRecognizer:
    """A developer's mistake (no model, a corrupt one, an unreachable MODEL_REPO) stops start-up with one line."""
    try:
        return DigitRecognizer.load()
    except (ModelNotFoundError, ModelLoadError) as error:
        sys.exit(f"error: {error}")


recognizer = load_recognizer_or_exit()
heatmaps(recognizer, np.zeros((1, 28, 28)), [0])  # trace the heatmaps' gradient now, not for the first visitor
examples = sorted(str(path) for path in EXAMPLES_DIR.iterdir() if path.suffix in (".png", ".jpg"))

with gr.Blocks(title="Handwritten digit recognizer") as demo:
    gr.Markdown(
        "# ✍️ Handwritten digit recognizer\n"
        "Draw a digit or a whole number, or upload a photo: a small CNN trained on MNIST reads each digit, "
        "shows its top three guesses and the pixels that made it guess, and says so when a mark is no digit.",
        elem_id="intro",
    )
    with gr.Row(equal_height=False, elem_id="workspace"):
        with gr.Column(scale=3, min_width=300):
            with gr.Tab("Draw", id="draw") as draw_tab:
                sketchpad = gr.Sketchpad(
                    label="Draw a digit or a number",
                    type="numpy",
                    image_mode="RGBA",
                    # Bigger than any screen shows it: the editor then fits it to its box at load and
                    # after Clear alike (it never enlarges past 100 % after Clear), so the zoom stays put.
                    canvas_size=CANVAS_SIZE,
                    height=540,
                    fixed_canvas=True,
                    brush=gr.Brush(default_size=40, colors=["#000000"], default_color="#000000", color_mode="fixed"),
                    layers=False,
                    transforms=(),
                    format="png",
                    elem_id="sketchpad",
                )
                with gr.Row(elem_id="draw-buttons"):
                    clear_button = gr.Button("Clear", elem_id="clear", min_width=80)
                    predict_drawing_button = gr.Button("Predict", variant="primary", elem_id="predict-drawing",
                                                       min_width=80)
            with gr.Tab("Upload", id="upload") as upload_tab:
                upload = gr.Image(
                    label="Upload digits: a photo of paper or any image",
                    type="filepath",
                    image_mode=None,
                    sources=["upload", "clipboard"],
                    elem_id="upload",
                )
                predict_upload_button = gr.Button("Predict", variant="primary", elem_id="predict-upload")
                gr.Examples(examples=examples, inputs=upload, label="Examples: real MNIST test digits, drawings and photos, a cheque")
        with gr.Column(scale=2, min_width=300, elem_id="results"):
            number = gr.HTML(elem_id="number", js_on_load=None, visible=False)
            label = gr.Label(num_top_classes=3, label=page.GUESSES_TITLE, elem_id="guesses")
            message = gr.Markdown(page.DRAW_HINT, elem_id="message")
            marks = gr.HTML(elem_id="marks", js_on_load=None)
    api_trigger = gr.Button(visible=False)
    demo.load(None, js=SELECT_BRUSH_JS)

    outputs = [number, label, message, marks]

    def show(view: page.PageView) -> tuple:
        """A PageView as the values (and the top-3 box's title and visibility) of the result components."""
        guesses = gr.Label(view.guesses, label=view.guesses_title, visible=not view.several_marks,
                           elem_classes=["unsure"] if view.unsure else [])
        return gr.HTML(view.number, visible=bool(view.number)), guesses, view.message, view.marks

    # Clear counts its presses in the page (`clears_seen`, sent with every reading of the drawing) and in the
    # visitor's session (`clears`, one dict per session): a reading of a drawing from before the last Clear (under way
    # or still queued when Clear was pressed) is dropped, not shown over the cleared page.
    clears_seen = gr.Number(0, visible=False, precision=0)
    clears = gr.State({"count": 0})

    def read_drawing(sketch, seen, session_clears):
        def stale() -> bool:  # Clear was pressed after this drawing was sent (checked again once it is read)
            return (seen or 0) < session_clears["count"]

        view = None if stale() else page.view_of_drawing(recognizer, sketch)
        return (gr.skip(),) * len(outputs) if view is None or stale() else show(view)

    def cleared(count, session_clears):
        session_clears["count"] = max(session_clears["count"], int(count or 0))
        return session_clears["count"], *show(page.PageView(message=page.DRAW_HINT))

    def read_file(payload):
        return show(page.view_of_upload(recognizer, payload))

    live = dict(outputs=outputs, show_progress="hidden", api_visibility="private", concurrency_limit=4)
    drawing = [sketchpad, clears_seen, clears]
    readings_of_the_drawing = [
        sketchpad.change(read_drawing, drawing, trigger_mode="always_last", **live),
        predict_drawing_button.click(read_drawing, drawing, **live),
        draw_tab.select(read_drawing, drawing, **live),  # each tab shows its own result: reading again takes a few ms
    ]
    # Clear with the editor's own "Clear canvas" button: setting the Sketchpad's value from Python
    # leaves the editor reloading for seconds. The editor's change event then resets the outputs too.
    # (Not queued: the page is cleared at once. Through the queue, behind the readings, it took 1.8 s, not 0.8 s.)
    # `cancels`: the page stops listening for the readings under way, so one that was already read (too soon for
    # the count to drop it) cannot come back over the cleared page. Each alone lets stale readings through: without
    # the count, a reading sent just before Clear (not yet under way, so not cancelled) came back in 7 of 68 tries
    # (both cores kept busy, draw 42 or A, Clear after 0-0.3 s, look 4 s later); with both, in none of 68.
    clear_button.click(cleared, [clears_seen, clears], [clears_seen, *outputs], js=CLEAR_CANVAS_JS, queue=False,
                       api_visibility="private", cancels=readings_of_the_drawing)
    # preprocess=False: the file reaches our own safe decoder, not Gradio's (which fails loudly on bad files).
    for reads_upload in (upload.change, predict_upload_button.click):
        reads_upload(read_file, upload, preprocess=False, **live).then(None, upload, js=SHOW_UPLOAD_RESULT_JS,
                                                                      api_visibility="private")
    upload_tab.select(read_file, upload, preprocess=False, **live)  # likewise the upload, when its tab is chosen
    api_trigger.click(
        lambda payloads: [page.labels_for_uploads(recognizer, payloads)],  # batch=True: a list per output
        upload, label, api_name="predict", preprocess=False,
        # Chosen with benchmarks/load.py (16 clients, one SSL context each, 2 cores), in req/s:
        batch=True,  # waiting requests share one call: ~92 against ~65 one at a time
        max_batch_size=16,  # one batch can take a request from each of 16 clients
        concurrency_limit=2,  # a batch per core: 4 gave ~81; 1 about 2's, but one big photo would hold up all
    )
    # One image in, every mark of it as JSON out (reading.to_json); heatmaps only when asked for.
    read_explain = gr.Checkbox(False, visible=False)
    api_trigger.click(
        lambda payload, explain: page.reading_of_upload(recognizer, payload, explain),
        [upload, read_explain], gr.JSON(visible=False, label="reading"), api_name="read", preprocess=False,
    )

demo.queue(max_size=256)  # past 256 waiting requests a caller is told "queue full" at once, not kept waiting

if __name__ == "__main__":
    demo.launch(max_file_size=MAX_FILE_SIZE, css=PAGE_CSS, head=PAGE_HEAD)

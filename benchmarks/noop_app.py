"""A Gradio app whose `predict` endpoint does nothing: Gradio's own floor for a round trip, next to app.py's.

Same endpoint shape and queue as app.py's `predict` (a file payload in, a label out, batched); started by speed.py.
"""
import gradio as gr

with gr.Blocks() as demo:
    upload = gr.Image(type="filepath")
    label = gr.Label()
    gr.Button(visible=False).click(
        lambda payloads: [[{"0": 1.0} for _ in payloads]], upload, label, api_name="predict",
        preprocess=False, batch=True, max_batch_size=16, concurrency_limit=2,
    )

demo.queue(max_size=256)

if __name__ == "__main__":
    demo.launch()

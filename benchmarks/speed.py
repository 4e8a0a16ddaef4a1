"""Latency of one prediction: in process (ours vs the seeds' recipe), over Gradio's REST API, through
gradio_client, and the app's cold start. Prints one table.

    python benchmarks/speed.py                           # starts app.py and noop_app.py on free ports
    python benchmarks/speed.py --url http://127.0.0.1:7860 --requests 200
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import ssl
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from gradio_client import Client, handle_file

from benchmarks import server
from benchmarks.inputs import mnist_test, save_as_browser_png, sketch
from benchmarks.seeds import seeds_predict
from benchmarks.timing import markdown_table, milliseconds, timed_calls
from digit_recognizer.recognizer import DigitRecognizer

NOOP_APP = Path(__file__).resolve().parent / "noop_app.py"
COLD_START_TIMEOUT = 180.0
IN_PROCESS_BLOCKS = 4  # ours and the seeds' recipe take turns this many times, so both see the same machine


@dataclass
class SpeedResult:
    ours: list[float]  # seconds per DigitRecognizer.predict of the sketch
    seeds: list[float]  # seconds per seeds' recipe of the same sketch
    http: list[float]  # seconds per REST round trip, file already uploaded
    http_noop: list[float]  # the same against a Gradio endpoint that does nothing
    client: list[float]  # seconds per gradio_client predict (uploads every call)
    client_shared_ssl: list[float]  # the same with one SSL context for all its requests
    cold_start: float | None  # seconds from `python app.py` to the first /predict answer

    @property
    def speed_up(self) -> float:
        return milliseconds(self.seeds, 50) / milliseconds(self.ours, 50)


# --- In process --------------------------------------------------------------------------------------


def in_process_latency(recognizer: DigitRecognizer, image, count: int, max_seconds: float) -> tuple[list[float], list[float]]:
    """Seconds per prediction of `image`: ours and the seeds' recipe, `count` each, in alternating blocks.

    Blocks rather than single calls in turn: `model.predict` leaves its data pipeline winding down for a
    few milliseconds after it returns, which strictly alternating calls would charge to ours.
    """
    ours = lambda: recognizer.predict(image)  # noqa: E731
    seeds = lambda: seeds_predict(recognizer.model, image)  # noqa: E731
    ours(), seeds()  # the first calls build what later calls reuse
    durations: tuple[list[float], list[float]] = ([], [])
    for _ in range(IN_PROCESS_BLOCKS):
        for predict, taken in zip((ours, seeds), durations):
            taken += timed_calls(predict, -(-count // IN_PROCESS_BLOCKS), max_seconds / (2 * IN_PROCESS_BLOCKS))
    return durations


# --- Gradio's REST API over one keep-alive connection ------------------------------------------------


def connect(url: str) -> http.client.HTTPConnection:
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)


def upload(connection: http.client.HTTPConnection, path: Path) -> str:
    """POST the file to /gradio_api/upload; the server-side path to pass to an endpoint."""
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{path.name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    connection.request("POST", "/gradio_api/upload", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    response = connection.getresponse()
    answer = response.read()
    if response.status != 200:
        raise RuntimeError(f"upload failed: HTTP {response.status} {answer[:200]!r}")
    return json.loads(answer)[0]


def call(connection: http.client.HTTPConnection, api_name: str, server_path: str, *more: object) -> list:
    """POST /gradio_api/call/<api_name> with an uploaded file (and `more` inputs), then read its event stream
    to `complete`: the outputs."""
    payload = json.dumps({"data": [{"path": server_path, "meta": {"_type": "gradio.FileData"}}, *more]})
    connection.request("POST", f"/gradio_api/call/{api_name}", payload, {"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = response.read()
    if response.status != 200:
        raise RuntimeError(f"call failed: HTTP {response.status} {answer[:200]!r}")
    connection.request("GET", f"/gradio_api/call/{api_name}/{json.loads(answer)['event_id']}")
    stream = connection.getresponse().read().decode()  # the server ends the stream after `complete` or `error`
    for message in stream.split("\n\n"):
        event, _, data = message.partition("\ndata: ")
        if event == "event: complete":
            return json.loads(data)
        if event == "event: error":
            raise RuntimeError(f"{api_name} failed: {data}")
    raise RuntimeError(f"{api_name}: no complete event in {stream[:200]!r}")


def http_latency(url: str, path: Path, count: int, max_seconds: float) -> list[float]:
    """Seconds per /predict round trip (call + result stream) of a file uploaded once, on one connection."""
    connection = connect(url)
    server_path = upload(connection, path)
    call(connection, "predict", server_path)  # warm up
    durations = timed_calls(lambda: call(connection, "predict", server_path), count, max_seconds)
    connection.close()
    return durations


# --- gradio_client -----------------------------------------------------------------------------------


def client_latency(url: str, path: Path, count: int, max_seconds: float, share_ssl_context: bool = False) -> list[float]:
    """Seconds per `Client.predict(handle_file(path))`, which uploads the file again on every call."""
    # gradio_client builds an SSL context per request (loading the CA bundle) unless given one to share.
    client = Client(url, verbose=False, ssl_verify=ssl.create_default_context() if share_ssl_context else True)
    client.predict(handle_file(str(path)), api_name="/predict")  # warm up
    durations = timed_calls(lambda: client.predict(handle_file(str(path)), api_name="/predict"), count, max_seconds)
    client.close()
    return durations


def cold_start_seconds(path: Path) -> float:
    """Seconds from starting `python app.py` to its first /predict answer for `path`."""
    port = server.free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = server.launch(server.APP, port)
    try:
        while time.perf_counter() - started < COLD_START_TIMEOUT:
            if process.poll() is not None:
                raise RuntimeError(f"app.py exited with {process.returncode} during its cold start")
            connection = connect(url)
            try:
                call(connection, "predict", upload(connection, path))
                return time.perf_counter() - started
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)  # not listening yet
            finally:
                connection.close()
        raise RuntimeError(f"app.py gave no prediction within {COLD_START_TIMEOUT:.0f} s")
    finally:
        server.stop(process)


# --- All of it -----------------------------------------------------------------------------------------


def run_speed(url: str | None = None, requests: int = 200, client_requests: int = 50,
              max_seconds: float = 60.0, cold_start: bool = True) -> SpeedResult:
    """Every measurement of the table; starts app.py on a free port unless `url` is given."""
    canvas = sketch(mnist_test()[0])
    recognizer = DigitRecognizer.load()
    ours, seeds = in_process_latency(recognizer, canvas, requests, max_seconds)
    with tempfile.TemporaryDirectory() as folder:
        path = save_as_browser_png(canvas, Path(folder) / "sketch.png")
        with server.running(NOOP_APP) as (noop_url, _):
            http_noop = http_latency(noop_url, path, requests, max_seconds)
        with server.app_at(url) as (app_url, _):
            http = http_latency(app_url, path, requests, max_seconds)
            client = client_latency(app_url, path, client_requests, max_seconds)
            client_shared_ssl = client_latency(app_url, path, client_requests, max_seconds, share_ssl_context=True)
        cold = cold_start_seconds(path) if cold_start else None
    return SpeedResult(ours, seeds, http, http_noop, client, client_shared_ssl, cold)


def speed_table(result: SpeedResult) -> str:
    def row(what: str, durations: list[float]) -> list[str]:
        return [what, f"{milliseconds(durations, 50):.1f} ms", f"{milliseconds(durations, 99):.1f} ms", str(len(durations))]

    rows = [
        row("in process: `DigitRecognizer.predict`, 800×800 RGBA sketch", result.ours),
        row("in process: seeds' recipe (drop alpha, grey, resize, invert, `model.predict`)", result.seeds),
        ["in process: ours vs the seeds' recipe", f"{result.speed_up:.0f}× faster", "", ""],
        row("HTTP: `/gradio_api/call/predict` + result stream, file uploaded once, keep-alive", result.http),
        row("HTTP: the same on a no-op Gradio endpoint (Gradio's floor)", result.http_noop),
        row("gradio_client: `predict(handle_file(png))`, uploads every call", result.client),
        row("gradio_client: the same, one SSL context shared by its requests", result.client_shared_ssl),
        ["cold start: `python app.py` → first /predict answer",
         "not measured" if result.cold_start is None else f"{result.cold_start:.1f} s", "", "1"],
    ]
    return markdown_table(["latency of one prediction", "p50", "p99", "n"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running app for the round trips (default: start app.py on a free port)")
    parser.add_argument("--requests", type=int, default=200, help="in-process and HTTP repetitions (default 200)")
    parser.add_argument("--client-requests", type=int, default=50, help="gradio_client repetitions (default 50)")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="time cap of each measurement (default 60)")
    parser.add_argument("--no-cold-start", action="store_true", help="skip the cold start (it starts app.py once more)")
    arguments = parser.parse_args()
    result = run_speed(arguments.url, arguments.requests, arguments.client_requests, arguments.max_seconds,
                       cold_start=not arguments.no_cold_start)
    print(speed_table(result))


if __name__ == "__main__":
    main()

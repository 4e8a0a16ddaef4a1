"""Runs speed.py, load.py, accuracy.py, read_numbers.py, confidence.py, rejection.py and web.py and writes their
results as tables into README.md, between <!-- benchmarks:start --> and <!-- benchmarks:end --> (nothing else changes).

    python benchmarks/report.py                 # about 15 minutes on 2 cores
    python benchmarks/report.py --readme /tmp/README.md --load-seconds 10
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import gradio
import gradio_client
import keras
import psutil
import tensorflow

from benchmarks import confidence, server
from benchmarks.accuracy import AccuracyResult, accuracy_table, run_accuracy
from benchmarks.load import LoadResult, load_table, megabytes, run_load
from benchmarks.read_numbers import numbers_rows, rest_latency, run_numbers
from benchmarks.rejection import rejection_rows, rejection_table, run_rejection
from benchmarks.speed import SpeedResult, run_speed, speed_table
from benchmarks.timing import markdown_table, milliseconds
from benchmarks.web import WebResult, measure_first_load, measure_latency, measure_parity, static_server, web_table
from digit_recognizer.recognizer import DigitRecognizer
from tests.handwriting import load_pendigits

README = server.REPO_ROOT / "README.md"
METRICS = server.REPO_ROOT / "metrics.json"
IDLE_CHECK_SECONDS = 5  # how long the CPU's idleness is measured before the run, to say how quiet the machine was
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def machine() -> str:
    return (f"{os.cpu_count()} cores ({cpu_model()}), {psutil.virtual_memory().total / 2**30:.0f} GB RAM; "
            f"Python {platform.python_version()}, TensorFlow {tensorflow.__version__}, Keras {keras.__version__}, "
            f"Gradio {gradio.__version__}, gradio_client {gradio_client.__version__}")


def p50_p99(durations: list[float]) -> str:
    return f"p50 {milliseconds(durations, 50):.1f} ms, p99 {milliseconds(durations, 99):.1f} ms"


def load_row(what: str, result: LoadResult, target: str) -> list[str]:
    return [f"{what}, {result.clients} clients × {result.seconds:.0f} s",
            f"**{result.throughput:.0f} req/s**, {result.errors} errors, {len(result.wrong_answers)} wrong labels, "
            f"{p50_p99(result.latencies)}, server RSS +{megabytes(result.rss_growth)}",
            target]


def report_table(speed: SpeedResult, stock: LoadResult, shared_ssl: LoadResult, accuracy: AccuracyResult,
                 training: dict) -> str:
    rows = [
        ["in-process latency, `DigitRecognizer.predict`, 800×800 RGBA sketch", f"**{p50_p99(speed.ours)}**", "p50 ≤ 3 ms"],
        ["the seeds' recipe on the same sketch (drop alpha, grey, resize, invert, `model.predict`)",
         f"{p50_p99(speed.seeds)}: **ours is {speed.speed_up:.0f}× faster** (p50)", "≥ 20× faster"],
        ["HTTP round trip, `POST /gradio_api/call/predict` + result stream, file uploaded once, keep-alive",
         f"**{p50_p99(speed.http)}**", "p50 ≤ 25 ms"],
        ["the same on a no-op Gradio endpoint (Gradio's own floor)", p50_p99(speed.http_noop), ""],
        ["gradio_client round trip, `predict(handle_file(png))` (uploads every call)", p50_p99(speed.client), ""],
        ["the same with one SSL context per client (gradio_client otherwise builds one per request)",
         p50_p99(speed.client_shared_ssl), ""],
        load_row("throughput, gradio_client processes as shipped", stock, "≥ 30 req/s, 0 errors, RSS growth < 100 MB"),
        load_row("throughput, gradio_client processes with one SSL context each (what the server sustains)",
                 shared_ssl, ""),
        ["cold start, `python app.py` → first /predict answer",
         "not measured" if speed.cold_start is None else f"{speed.cold_start:.1f} s", ""],
        ["training (the notebook's run, from metrics.json)",
         f"{training['seconds_per_epoch']:.1f} s per epoch, {training['training_seconds']:.0f} s for "
         f"{training['epochs']} epochs on {training['hardware']}", ""],
        [f"MNIST test accuracy ({accuracy.mnist_test_size:,} digits as is, recomputed)", f"**{accuracy.mnist_test:.2%}**", ""],
    ]
    rows += [[f"accuracy on `{form}` inputs ({accuracy.digits} MNIST test digits, seed {accuracy.seed})",
              f"seeds' recipe {seeds:.1%} → **ours {ours:.1%}**", ""] for form, (seeds, ours) in accuracy.per_form.items()]
    return markdown_table(["benchmark", "result", "target"], rows)


def section(tables: list[str], busy_before: float) -> str:
    return ("\n\n".join(tables) + f"\n\nMeasured on {datetime.date.today().isoformat()}: {machine()}. Load-test clients, servers "
            "and the benchmark itself share these cores, and other work slows every number (the CPU was "
            f"{busy_before:.0f} % busy in the {IDLE_CHECK_SECONDS} s before the run). Rendered inputs come from "
            "`tests/renderings.py`, made from MNIST test digits only; real handwriting from `tests/handwriting.py` "
            "(UCI pendigits and optdigits writers, CC BY 4.0), non-digits from `tests/nondigits.py`. Regenerate with "
            "`python benchmarks/report.py` (it rewrites this section); each of `benchmarks/speed.py`, `load.py`, "
            "`accuracy.py`, `read_numbers.py`, `confidence.py`, `rejection.py` and `web.py` also runs alone (`--help`).")


def write_section(readme: Path, text: str) -> None:
    """Replace what lies between the benchmark markers in `readme`, and nothing else."""
    content = readme.read_text()
    start, end = content.find(START), content.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{readme}: {START} … {END} markers not found")
    readme.write_text(content[: start + len(START)] + "\n" + text + "\n" + content[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readme", type=Path, default=README, help="the file to update (default: the repo's README.md)")
    parser.add_argument("--clients", type=int, default=16, help="load test clients (default 16)")
    parser.add_argument("--load-seconds", type=float, default=30.0, help="each load test's duration (default 30)")
    parser.add_argument("--digits", type=int, default=300, help="MNIST test digits per rendered form (default 300)")
    arguments = parser.parse_args()

    busy_before = psutil.cpu_percent(interval=IDLE_CHECK_SECONDS)
    speed = run_speed()
    print(speed_table(speed), end="\n\n", flush=True)
    with server.running() as (url, pid):
        stock = run_load(url, arguments.clients, arguments.load_seconds, server_pid=pid)
        print(load_table(stock), end="\n\n", flush=True)
        shared_ssl = run_load(url, arguments.clients, arguments.load_seconds, share_ssl_context=True, server_pid=pid)
        print(load_table(shared_ssl), end="\n\n", flush=True)
    accuracy = run_accuracy(arguments.digits)
    print(accuracy_table(accuracy), end="\n\n", flush=True)
    numbers = run_numbers(digits=arguments.digits)
    numbers.speed["REST"] = rest_latency(load_pendigits())
    numbers_table = markdown_table(["whole numbers (`read`)", "result", "target"], numbers_rows(numbers))
    print(numbers_table, end="\n\n", flush=True)
    recognizer = DigitRecognizer.load()
    digits_read = confidence.read_digits(recognizer, (0,), 100)
    confidence_table = confidence.table(digits_read, recognizer.temperature, confidence.CUT_TEMPERATURE)
    print(confidence_table, end="\n\n", flush=True)
    rejection = run_rejection()
    print(rejection_table(rejection), end="\n\n", flush=True)
    web = WebResult()
    with static_server() as url:
        measure_first_load(web, url)
        measure_latency(web, url)
        measure_parity(web, url, digits=100, numbers=200, seed=0)
    print(web_table(web), end="\n\n", flush=True)

    tables = [report_table(speed, stock, shared_ssl, accuracy, json.loads(METRICS.read_text())), numbers_table,
              confidence_table, markdown_table(["not a digit, calibration", "result", "target"], rejection_rows(rejection)),
              web_table(web)]
    text = section(tables, busy_before)
    write_section(arguments.readme, text)
    print(f"{arguments.readme} updated:\n\n{text}")


if __name__ == "__main__":
    main()

"""Load test: N gradio_client clients call the app's /predict endpoint for a fixed time; prints one table.

    python benchmarks/load.py                       # starts the app on a free port: 16 clients, 30 s
    python benchmarks/load.py --clients 4 --seconds 5 --url http://127.0.0.1:7860

Each client is its own process by default: in one process, 16 gradio_client threads take turns on
the GIL and the benchmark would measure the client's Python rather than the server. Clients and
server share this machine's cores either way, so the throughput is a lower bound for the server.
gradio_client as shipped spends ~60 ms of CPU per call building SSL contexts (see client_session):
`--share-ssl-context` takes that off, to show what the server itself sustains.
"""
from __future__ import annotations

import argparse
import multiprocessing
import ssl
import sys
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages

import psutil
from gradio_client import Client, handle_file

from benchmarks import server
from benchmarks.timing import markdown_table, milliseconds

EXAMPLES_DIR = server.REPO_ROOT / "examples"
REQUEST_TIMEOUT = 30.0  # seconds: a request slower than this counts as an error, and the run still ends
START_TIMEOUT = 300.0  # seconds for all clients to start, connect and make one warm-up request
MEGABYTE = 1024 * 1024


@dataclass
class ClientTally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    wrong_answers: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    clients: int
    mode: str
    share_ssl_context: bool
    seconds: float
    latencies: list[float]
    errors: int
    first_error: str | None
    wrong_answers: list[str]
    rss_before: int | None
    rss_after: int | None

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def rss_growth(self) -> int | None:
        return None if self.rss_before is None or self.rss_after is None else self.rss_after - self.rss_before


def example_uploads() -> list[tuple[str, str]]:
    """(path, label) of the repo's example images of one digit, whose names end in it (mnist_7.png); `predict` reads
    one digit, so the cheque's number (cheque_358.jpg) is left out."""
    paths = sorted(path for path in EXAMPLES_DIR.iterdir() if path.suffix in (".png", ".jpg"))
    return [(str(path), label) for path in paths if len(label := path.stem.split("_")[-1]) == 1]


def client_session(url: str, uploads: list[tuple[str, str]], first: int, seconds: float, start,
                   share_ssl_context: bool) -> ClientTally:
    """One client: connect, wait for the others at `start`, then upload digits in turn for `seconds`."""
    try:
        # gradio_client opens each request with a new httpx client, and each builds an SSL context that
        # loads the CA bundle (~20 ms of CPU, even for http://): one context for all its requests avoids that.
        ssl_verify = ssl.create_default_context() if share_ssl_context else True
        client = Client(url, verbose=False, ssl_verify=ssl_verify)
        client.predict(handle_file(uploads[first % len(uploads)][0]), api_name="/predict")  # warm up outside the measured time
    except BaseException:
        start.abort()  # the other clients and run_load stop waiting, and run_load reports this error
        raise
    start.wait(timeout=START_TIMEOUT)
    tally = ClientTally()
    deadline = time.monotonic() + seconds
    index = first
    while time.monotonic() < deadline:
        path, label = uploads[index % len(uploads)]
        index += 1
        began = time.perf_counter()
        try:
            answer = client.submit(handle_file(path), api_name="/predict").result(timeout=REQUEST_TIMEOUT)
        except Exception as error:  # whatever a client can hit counts as one failed request
            tally.errors += 1
            tally.first_error = tally.first_error or f"{type(error).__name__}: {error}"
            continue
        tally.latencies.append(time.perf_counter() - began)
        if answer.get("label") != label:
            tally.wrong_answers.append(f"{Path(path).name} read as {answer.get('label')!r}")
    client.close()
    return tally


def rss(pid: int | None) -> int | None:
    return psutil.Process(pid).memory_info().rss if pid is not None else None


def run_load(url: str, clients: int = 16, seconds: float = 30.0, mode: str = "processes", share_ssl_context: bool = False,
             server_pid: int | None = None, uploads: list[tuple[str, str]] | None = None) -> LoadResult:
    """`clients` clients (processes or threads) calling /predict for `seconds`; the server's RSS if `server_pid`."""
    uploads = uploads or example_uploads()
    with ExitStack() as cleanup:
        if mode == "processes":
            context = multiprocessing.get_context("spawn")  # fork would copy a TensorFlow-loaded parent's threads
            start = cleanup.enter_context(context.Manager()).Barrier(clients + 1)
            pool: Executor = cleanup.enter_context(ProcessPoolExecutor(clients, mp_context=context))
        else:
            start = threading.Barrier(clients + 1)
            pool = cleanup.enter_context(ThreadPoolExecutor(clients))
        futures = [pool.submit(client_session, url, uploads, index, seconds, start, share_ssl_context)
                   for index in range(clients)]
        try:
            start.wait(timeout=START_TIMEOUT)  # every client connected and warmed up
        except threading.BrokenBarrierError as broken:
            causes = [future.exception() for future in futures]
            raise next((cause for cause in causes if cause and not isinstance(cause, threading.BrokenBarrierError)), broken)
        rss_before = rss(server_pid)
        began = time.perf_counter()
        tallies = [future.result() for future in futures]
        elapsed = time.perf_counter() - began
        rss_after = rss(server_pid)
    return LoadResult(
        clients=clients, mode=mode, share_ssl_context=share_ssl_context, seconds=elapsed,
        latencies=[latency for tally in tallies for latency in tally.latencies],
        errors=sum(tally.errors for tally in tallies),
        first_error=next((tally.first_error for tally in tallies if tally.first_error), None),
        wrong_answers=[answer for tally in tallies for answer in tally.wrong_answers],
        rss_before=rss_before, rss_after=rss_after,
    )


def megabytes(size: int | None) -> str:
    return "n/a" if size is None else f"{size / MEGABYTE:.0f} MB"


def load_table(result: LoadResult) -> str:
    rows = [
        ["clients", f"{result.clients} gradio_client {result.mode}"
                    + (", one SSL context each" if result.share_ssl_context else ", as shipped")],
        ["duration", f"{result.seconds:.1f} s"],
        ["requests", str(result.requests)],
        ["errors", str(result.errors) + (f" (first: {result.first_error})" if result.first_error else "")],
        ["wrong labels", str(len(result.wrong_answers))],
        ["throughput", f"{result.throughput:.1f} req/s"],
        ["latency p50 / p99", f"{milliseconds(result.latencies, 50):.0f} / {milliseconds(result.latencies, 99):.0f} ms"],
        ["server RSS before → after", f"{megabytes(result.rss_before)} → {megabytes(result.rss_after)}"],
        ["server RSS growth", megabytes(result.rss_growth)],
    ]
    return markdown_table(["load on /predict", "measured"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long they call /predict (default 30)")
    parser.add_argument("--mode", choices=["processes", "threads"], default="processes",
                        help="one process per client (default) or threads in this process")
    parser.add_argument("--share-ssl-context", action="store_true",
                        help="give each client one SSL context instead of gradio_client's new one per request")
    parser.add_argument("--url", help="a running app (default: start app.py on a free port)")
    arguments = parser.parse_args()
    settings = dict(clients=arguments.clients, seconds=arguments.seconds, mode=arguments.mode,
                    share_ssl_context=arguments.share_ssl_context)
    with server.app_at(arguments.url) as (url, pid):
        result = run_load(url, server_pid=pid, **settings)
    print(load_table(result))


if __name__ == "__main__":
    main()

"""Start a Gradio script (the app by default) on a free loopback port for a benchmark, and find a server's process."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
APP = REPO_ROOT / "app.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch(script: Path, port: int, env: dict[str, str | None] | None = None) -> subprocess.Popen:
    """Start `python script` serving on 127.0.0.1:`port`, its output in a temporary file (a pipe could fill up).

    `env` adds to this process's environment; a None value removes that variable.
    """
    environment = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
                   "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})}
    environment = {name: value for name, value in environment.items() if value is not None}
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen([sys.executable, script.name], cwd=script.parent, env=environment,
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log = log  # read by wait_until_up when the script dies
    return process


def answers_http(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/gradio_api/info", timeout=2).close()
        return True
    except OSError:
        return False


def wait_until_up(process: subprocess.Popen, url: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not answers_http(url):
        if process.poll() is not None:
            process.log.seek(0)
            raise RuntimeError(f"{process.args[1]} exited with {process.returncode}:\n{process.log.read()[-3000:]}")
        if time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"{process.args[1]} did not answer at {url} within {timeout:.0f} s")
        time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()


@contextmanager
def running(script: Path = APP) -> Iterator[tuple[str, int]]:
    """(url, pid) of `script` served on a free port for the duration of the block."""
    port = free_port()
    process = launch(script, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, url)
        yield url, process.pid
    finally:
        stop(process)


def app_at(url: str | None) -> AbstractContextManager[tuple[str, int | None]]:
    """(url, pid) of the app at `url` if given (pid None if not on this machine), else of app.py started for the block."""
    return nullcontext((url, pid_listening_at(url))) if url else running()


def pid_listening_at(url: str) -> int | None:
    """The process listening on `url`'s port on this machine, or None (a remote server, or not permitted)."""
    port = urllib.parse.urlsplit(url).port or 80
    try:
        connections = psutil.net_connections(kind="tcp")
    except psutil.AccessDenied:
        return None
    return next((connection.pid for connection in connections
                 if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port), None)

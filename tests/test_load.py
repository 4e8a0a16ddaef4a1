"""A short load test on the real app: concurrent gradio_client clients, each must get its own digit back."""
from benchmarks.load import example_uploads, run_load

CLIENTS = 4
SECONDS = 5.0


def test_concurrent_clients_each_get_their_own_digit_back(app_url):
    uploads = example_uploads()
    assert len({label for _, label in uploads}) >= 5  # batched requests carry different digits
    # Threads, not processes: this checks answers, not throughput, and spares CI four interpreters.
    result = run_load(app_url, clients=CLIENTS, seconds=SECONDS, mode="threads", uploads=uploads)
    assert result.errors == 0, result.first_error
    assert result.wrong_answers == []
    assert len(result.latencies) >= 2 * CLIENTS  # every client kept calling, not just one request each

"""One open-data file measured in a process of its own (its peak memory is the process's):

    python -m tests.bench.open_data_measure /lv/open-data/activities.xlsx

with the portal's environment (DATABASE_URL, OPEN_DATA_ROOT…). Prints one JSON line: the first request's
time (the file is built: nothing is stored for this process's new data version), the median of the
repeated requests (sent from disk), the median of the trivial view (``tests/bench/urls.py``) through the
same middleware, the file's size, and the process's peak resident memory (``ru_maxrss``) before and
after the first request. Used by ``test_open_data_bench.py`` and on its own against an existing database
(``DATABASE_URL=postgres://…/ddkc_x100``, read-only: the build only reads)."""

import json
import os
import resource
import statistics
import sys
import time


def peak_rss_mb():
    """This process's peak resident memory. Linux's ``ru_maxrss`` keeps the high-water mark of the
    process image before ``exec`` — a child of the 250 MB benchmark process reported 249 MB before it
    had done anything —, so the kernel's own high-water mark of this image (``VmHWM``) is read first."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def timed(client, url):
    started = time.perf_counter()
    response = client.get(url)
    size = (
        sum(len(chunk) for chunk in response.streaming_content)
        if response.streaming
        else len(response.content)
    )
    response.close()
    assert response.status_code == 200, (url, response.status_code)
    return time.perf_counter() - started, size


def measure(url, repeat):
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import override_settings

    with override_settings(ROOT_URLCONF="tests.bench.urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        timed(client, "/lv/bench/trivial/")
        trivial = statistics.median(timed(client, "/lv/bench/trivial/")[0] for _ in range(repeat))
        before = peak_rss_mb()
        build, size = timed(client, url)
        after = peak_rss_mb()
        again = statistics.median(timed(client, url)[0] for _ in range(repeat))
    return {
        "url": url,
        "build_s": build,
        "repeat_ms": again * 1000,
        "trivial_ms": trivial * 1000,
        "bytes": size,
        "rss_before_mb": before,
        "rss_peak_mb": after,
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ddkc.settings")
    repeat = int(os.environ.get("BENCH_REPEAT", "7"))
    for url in sys.argv[1:]:
        print(json.dumps(measure(url, repeat)), flush=True)

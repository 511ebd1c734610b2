"""Celery beat killed after it fired a job does not fire it again on restart.

Beat writes its schedule right after each send (CELERY_BEAT_SYNC_EVERY = 1); a kill inside
the few milliseconds between the send and that write can still fire the job once more on
restart, which is why every scheduled job is idempotent. The test kills it a moment after
the send, as a crash or a deploy would."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

from tests.conftest import broker_url_for_tests

ROOT = Path(__file__).resolve().parent.parent
EVERY = 8  # seconds between two runs of the probe job
SETTLE = 1.0  # seconds between the send and the kill: past the schedule's write
SENT = b"Sending due task probe"
PROBE = f"""
from config.celery import app

app.conf.beat_schedule = {{
    "probe": {{"task": "tests.beat_probe", "schedule": {EVERY}.0, "options": {{"queue": "beat-probe"}}}},
}}
"""


def start_beat(tmp_path, log):
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
           "CELERY_BROKER_URL": broker_url_for_tests()}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "beat_probe", "beat", "--loglevel", "info",
         "--schedule", str(tmp_path / "schedule"), "--pidfile", str(tmp_path / "beat.pid")],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )


def wait_for(log, count, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.read_bytes().count(SENT) >= count:
            return True
        time.sleep(0.1)
    return False


def test_beat_killed_after_sending_a_job_does_not_send_it_again_on_restart(tmp_path):
    (tmp_path / "beat_probe.py").write_text(PROBE)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    beat = start_beat(tmp_path, first_log)
    try:
        assert wait_for(first_log, 1, EVERY + 15), first_log.read_text()
        sent_at = time.monotonic()
        time.sleep(SETTLE)
        beat.send_signal(signal.SIGKILL)
        beat.wait(timeout=5)
        beat = start_beat(tmp_path, second_log)
        # Not again before its next due time (EVERY seconds after the first send).
        assert not wait_for(second_log, 1, sent_at + EVERY - 1.5 - time.monotonic()), (
            "beat fired the job again right after its restart"
        )
    finally:
        beat.kill()
        beat.wait(timeout=5)
        redis.Redis.from_url(broker_url_for_tests()).delete("beat-probe")

"""A hung test fails by pytest-timeout, with its stack, and the run goes on.

The suite's timeout settings (pyproject.toml) are run on a deliberately hanging test in a
pytest of its own, with a 2-second limit instead of 120.
"""
import subprocess
import sys
import textwrap
import time

HANGING = textwrap.dedent('''
    import threading
    import time


    def deliberately_hung():
        time.sleep(600)


    def test_hangs():
        helper = threading.Thread(target=threading.Event().wait, name="blocked-helper", daemon=True)
        helper.start()
        deliberately_hung()


    def test_runs_after_the_hang():
        assert True
''')


def test_a_hanging_test_fails_by_timeout_with_its_stack(tmp_path, pytestconfig):
    (tmp_path / "test_hanging.py").write_text(HANGING)
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "test_hanging.py", "-c", "/dev/null", "--rootdir", str(tmp_path),
         *(f"-pno:{plugin}" for plugin in ("django", "randomly", "xdist", "hypothesispytest", "anyio",
                                           "cacheprovider")),
         "-o", "timeout=2", "-o", f"timeout_method={pytestconfig.getini('timeout_method')}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    elapsed = time.monotonic() - started
    output = run.stdout + run.stderr

    assert run.returncode == 1, output
    assert "Timeout (>2.0s) from pytest-timeout" in output
    assert "deliberately_hung" in output and "time.sleep(600)" in output  # the hung stack
    assert "Stack of blocked-helper" in output  # and every other thread's
    assert "1 failed, 1 passed" in output  # the next test still ran
    assert elapsed < 60  # (a loaded machine starts Python slowly) far from the 600 s sleep

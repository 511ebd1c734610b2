"""The shared frontend modules' unit tests (client_layer.test.mjs), run by Node's own test
runner: pt-BR formatting (format.js) and API errors as messages (dom.js, http.js)."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_format_and_http_modules():
    result = subprocess.run(
        [NODE, "--no-warnings", "--experimental-default-type=module", "--test", "client_layer.test.mjs"],
        cwd=HERE, capture_output=True, text=True, timeout=60,
        # Far from São Paulo: what the pages show must not depend on the browser's time zone.
        env={**os.environ, "TZ": "Asia/Tokyo"},
    )
    assert result.returncode == 0, result.stdout + result.stderr

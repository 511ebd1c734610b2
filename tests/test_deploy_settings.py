"""Deployment settings come from the environment: with MALHA_HTTPS=1 Django's own deploy
checks find nothing to say about cookies, HTTPS redirect or HSTS."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY_WARNINGS = ("security.W004", "security.W008", "security.W012", "security.W016")


def deploy_check(**environment):
    env = {**os.environ, "SECRET_KEY": "x" * 30 + "-a-long-random-production-key-9#Qz", **environment}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    return result.stdout + result.stderr


def test_https_deployment_passes_the_cookie_redirect_and_hsts_checks():
    output = deploy_check(MALHA_HTTPS="1")
    assert [code for code in DEPLOY_WARNINGS if code in output] == [], output


def test_plain_http_development_is_told_what_it_lacks():
    output = deploy_check(MALHA_HTTPS="0")
    assert all(code in output for code in DEPLOY_WARNINGS), output

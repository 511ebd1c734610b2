"""`make run`'s own processes (the Procfile under honcho: web, worker, beat, SMTP sink) deliver
a campaign e-mail and a proposal into the sink's Maildir, a killed worker comes back on its own
while the others keep running, and Ctrl-C stops every one of them.

The processes use the test database (the test commits its data) and a Redis database no
other test uses; they listen on free ports and keep their files in the test's own folder.
"""
import email
import email.policy
import mailbox
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis
import requests
from django.conf import global_settings

from tests.crm.sales_fixtures import make_lead  # noqa: F401  (a fixture)
from tests.integration.conftest import child_database_url, free_port
from tests.messaging.conftest import AREA, make_client, plan  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 11  # broker, results, cache and channel layer of these processes only
STARTED = re.compile(r"started \(pid=(\d+)\)")

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(condition, timeout, message, honcho):
    deadline = time.monotonic() + timeout
    while not condition():
        if honcho.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}:\n{honcho.output()}")
        time.sleep(0.3)


def running_processes():
    """(pid, ppid, process group) of every live process (zombies aside), read from /proc."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses
            state, ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except OSError:
            continue  # it ended while we looked
        if state != "Z":
            yield int(stat.parent.name), int(ppid), int(pgrp)


class Honcho:
    """`honcho -f Procfile start`, as `make run` ends, in a session of its own."""

    def __init__(self, env, log):
        self.log = log
        self.process = subprocess.Popen(
            [ROOT / ".venv" / "bin" / "honcho", "-f", "Procfile", "start"], cwd=ROOT, env=env,
            stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )

    def output(self):
        return self.log.read_text(errors="replace")

    def groups(self):
        """Process groups of honcho and of each Procfile process (honcho starts each in a
        session of its own; their children, such as Celery's pool, stay in its group): those
        honcho reported and those of its descendants still running."""
        processes = list(running_processes())
        family, grew = {self.process.pid}, True
        while grew:
            descendants = {pid for pid, ppid, _group in processes if ppid in family}
            grew = not descendants <= family
            family |= descendants
        started = {int(pid) for pid in STARTED.findall(self.output())}
        return {group for pid, _ppid, group in processes if pid in family} | started | {
            self.process.pid}

    def kept_process(self, name):
        """The pid of the process a Procfile line's keeper (scripts/keep-running.sh) runs for
        `name` (honcho may start the line through a shell first), or None."""
        processes = list(running_processes())
        [line] = re.findall(rf"{name}\.1 started \(pid=(\d+)\)", self.output())
        family, grew = {int(line)}, True
        while grew:
            descendants = {pid for pid, ppid, _group in processes if ppid in family}
            grew = not descendants <= family
            family |= descendants
        keepers = {pid for pid in family if b"keep-running" in _cmdline(pid)}
        kept = [pid for pid, ppid, _group in processes if ppid in keepers and pid not in keepers
                and b"sleep" not in _cmdline(pid)]
        return kept[0] if kept else None

    def running_in(self, groups):
        return [pid for pid, _ppid, group in running_processes() if group in groups]

    def kill(self):
        for group in self.groups():
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=20)


@pytest.fixture
def real_password_hashing(settings):
    """The web process checks passwords with the real hashers, not the tests' fast one."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.fixture
def procfile(transactional_db, settings, tmp_path):
    """The Procfile's processes, pointed at the test database; killed whatever happens."""
    var = tmp_path / "var"
    web_port = free_port()
    smtp_port = free_port()
    redis_url = f"{settings.REDIS_URL.rsplit('/', 1)[0]}/{REDIS_DB}"
    env = {
        name: value for name, value in os.environ.items()
        if name not in {"CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "MEDIA_ROOT"}
    }
    env.update(
        MALHA_VAR=str(var), MALHA_WEB_HOST="127.0.0.1", MALHA_WEB_PORT=str(web_port),
        MALHA_SMTP_PORT=str(smtp_port), EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port),
        DATABASE_URL=child_database_url(), REDIS_URL=redis_url, SECRET_KEY=settings.SECRET_KEY,
        MALHA_PUBLIC_URL=f"http://127.0.0.1:{web_port}",
    )
    # A plain folder, as the run.sh of an older install left it: the sink makes its Maildir.
    (var / "mail").mkdir(parents=True)
    redis.Redis.from_url(redis_url).flushdb()
    honcho = Honcho(env, tmp_path / "honcho.log")
    honcho.url = f"http://127.0.0.1:{web_port}"
    honcho.maildir = var / "mail"
    try:
        yield honcho
    finally:
        honcho.kill()
        redis.Redis.from_url(redis_url).flushdb()


def _cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def log_in(honcho, username, password):
    """A session through the real login page, with its CSRF token, as the browser does."""
    session = requests.Session()
    wait_until(lambda: _answers(session, f"{honcho.url}/login/"), 60, "the web server", honcho)
    response = session.post(
        f"{honcho.url}/login/",
        data={"username": username, "password": password,
              "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False, timeout=30,
    )
    assert response.status_code == 302 and "sessionid" in session.cookies, response.text
    session.headers.update({"X-CSRFToken": session.cookies["csrftoken"], "Accept-Language": "en"})
    return session


def _answers(session, url):
    try:
        return session.get(url, timeout=5).status_code == 200
    except (requests.ConnectionError, requests.Timeout):
        return False


def post(session, url, payload=None):
    response = session.post(url, json=payload, timeout=30)
    assert response.status_code in (201, 202), response.text
    return response.json()


def received(maildir):
    """The sink's messages, read with the mailbox module as the README tells a person to."""
    if not (maildir / "new").is_dir():
        return []
    return list(mailbox.Maildir(
        maildir, create=False,
        factory=lambda file: email.message_from_binary_file(file, policy=email.policy.default),
    ))


def test_make_runs_processes_deliver_a_campaign_and_a_proposal_and_stop_on_ctrl_c(
    procfile, real_password_hashing, make_user, make_client, make_lead, plan
):
    user = make_user("gerente", "admin")
    make_client("Ana Souza", email="ana@example.com")
    lead = make_lead(owner=user)
    session = log_in(procfile, "gerente", "s3cret-pass")

    campaign = post(session, f"{procfile.url}/api/crm/campaigns/", {
        "name": "Manutenção", "channel": "email", "subject": "Manutenção programada",
        "body": "Olá, {first_name}: manutenção na sua rua amanhã.", "area": AREA,
    })
    post(session, f"{procfile.url}/api/crm/campaigns/{campaign['id']}/confirm/")
    proposal = post(session, f"{procfile.url}/api/crm/proposals/",
                    {"lead": lead.pk, "items": [{"plan": plan.pk}]})
    post(session, f"{procfile.url}/api/crm/proposals/{proposal['id']}/send/")

    wait_until(lambda: len(received(procfile.maildir)) >= 2, 45,
               "both e-mails in the sink's Maildir", procfile)
    messages = received(procfile.maildir)
    assert len(messages) == 2
    subjects = {message["To"]: message["Subject"] for message in messages}
    assert sorted(subjects) == ["ana@example.com", "carlos@example.com"]
    assert subjects["ana@example.com"] == "Manutenção programada"
    assert proposal["number"] in subjects["carlos@example.com"]

    assert len(STARTED.findall(procfile.output())) == 4, procfile.output()

    # The worker dies (SIGKILL): its keeper starts it again, and nothing else stops.
    worker = procfile.kept_process("worker")
    assert worker and b"celery" in _cmdline(worker), procfile.output()
    os.kill(worker, signal.SIGKILL)
    wait_until(lambda: procfile.kept_process("worker") not in (None, worker), 30,
               "the worker started again", procfile)
    second = post(session, f"{procfile.url}/api/crm/proposals/",
                  {"lead": lead.pk, "items": [{"plan": plan.pk}]})
    post(session, f"{procfile.url}/api/crm/proposals/{second['id']}/send/")
    wait_until(lambda: len(received(procfile.maildir)) >= 3, 45,
               "the proposal sent by the restarted worker", procfile)
    assert "stopping" not in procfile.output().lower(), procfile.output()

    groups = procfile.groups()
    procfile.process.send_signal(signal.SIGINT)  # Ctrl-C
    procfile.process.wait(timeout=60)
    deadline = time.monotonic() + 30
    while procfile.running_in(groups):
        assert time.monotonic() < deadline, (
            f"still running after Ctrl-C: {procfile.running_in(groups)}\n{procfile.output()}"
        )
        time.sleep(0.3)

"""The production server, started for real, for the browser tests and the API fuzzing.

One gunicorn per test session (`liuke_server`), on its own database: a SQLite file in a temporary
folder, or, when `DATABASE_URL` points at PostgreSQL (the PostgreSQL pass of
scripts/run_tests.py), a fresh database `liuke_live_<random>` on that same cluster, dropped
afterwards. The database is migrated and seeded in subprocesses with the same environment as the
server, so nothing here touches pytest-django's test database: these tests take no `db`
fixture and run in the same `pytest` invocation as the rest of the suite.

Migrating, collecting the static files and seeding happen once per session (`live_template`);
the shared server and the concurrency tests' own servers each start on a fresh copy of that
template (the var folder copied, and on PostgreSQL `CREATE DATABASE … TEMPLATE`), so each
still starts from exactly the seeded state, without paying for the build again.

The seed holds two businesses that never see each other (the access policy scopes by business):

- 丽颜美容 (branches 静安店 and 浦东店): the browser tests' salon. Its owner `owner` and the
  front-desk user `front` (静安店 only); about 30 customers with known names, among them
  张三 (13812345678), found by the initials "zs"; some stale, some likely duplicates.
- 别家美容: the API fuzzing's tenant. Seeded first so that its branches and customers get the
  small ids that generated data tries first; fuzzing as its owner `fuzz` creates and changes
  customers freely without disturbing what the browser tests look at.

Every live test also fails when the server logged an error while it ran (a 500 behind an htmx
request or a fuzzed call would otherwise go unseen).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SCREENSHOTS = ROOT / "docs" / "screenshots"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

OWNER = ("owner", "Liuke-live-2026!")
FRONT_DESK = ("front", "Front-desk-2026!")
FUZZ_OWNER = ("fuzz", "Fuzz-owner-2026!")

#: Run in a subprocess with the server's environment: builds the two businesses through the
#: real services and prints a JSON summary (ids the tests need) on its last line.
SEED_SCRIPT = r"""
import datetime as dt
import json
import sys

import django

django.setup()

from django.utils import timezone

from liuke.accounts.choices import Role
from liuke.accounts.models import Branch, User
from liuke.accounts.services import business_provision, owner_create
from liuke.customers.models import Customer
from liuke.customers.services import customer_create

args = json.loads(sys.argv[1])


def staff(business, username, password, role, branches, display_name):
    user = User(username=username, business=business, role=role, display_name=display_name)
    user.set_password(password)
    user.save()
    user.branches.set(branches)
    return user


# 别家美容 first: the fuzzing tenant gets the small ids.
fuzz = owner_create(username=args["fuzz"][0], password=args["fuzz"][1],
                    business_name="别家美容", branch_name="徐汇店")
fuzz_b2 = Branch.objects.create(business=fuzz.business, name="闵行店", code="B02")
fuzz.branches.add(fuzz_b2)
for i, name in enumerate(["赵敏", "钱多多", "孙丽", "周芷若", "吴倩", "郑爽", "冯媛", "陈晨"]):
    customer_create(actor=fuzz, data={
        "name": name, "branch_id": fuzz_b2.pk if i % 2 else fuzz.branches.first().pk,
        "mobile": f"1390000{i:04d}", "gender": "F", "card_no": f"FZ{i:04d}",
    })

owner = owner_create(username=args["owner"][0], password=args["owner"][1],
                     business_name="丽颜美容", branch_name="静安店")
owner.display_name = "王老板"
owner.save()
jingan = owner.branches.get()
pudong = Branch.objects.create(business=owner.business, name="浦东店", code="B02")
owner.branches.add(pudong)
# the second branch gets what the first got with the business (its suggestion box)
business_provision(business_id=owner.business_id)
front = staff(owner.business, args["front"][0], args["front"][1], Role.FRONT_DESK, [jingan],
              "小陈")

PEOPLE = [
    # name, gender, mobile, birthday, branch, extra
    ("张三", "M", "13812345678", "1988-03-15", jingan,
     {"skin_type": "oily", "tags": ["VIP"], "source": "referral", "card_no": "JA0001",
      "preferences": "喜欢安静的房间", "marketing_consent": True}),
    ("王小明", "M", "13912345001", "1992-07-01", jingan, {"card_no": "JA0002"}),
    ("李娜", "F", "13712345002", "1990-01-20", jingan,
     {"allergies": "对果酸过敏", "skin_type": "sensitive"}),
    ("周莎", "F", "13612345003", "1995-11-11", jingan, {}),
    ("刘洋", "F", "15012345004", "1985-05-05", jingan, {}),
    ("陈静", "F", "15112345005", "1993-02-14", jingan, {"is_key_account": True}),
    ("杨丽", "F", "15212345006", "1987-09-09", jingan, {}),
    ("黄蓉", "F", "15312345007", "1991-04-18", jingan, {}),
    ("赵雪", "F", "15512345008", "1996-12-24", jingan, {}),
    ("吴敏", "F", "15612345009", "1989-06-30", jingan, {}),
    ("徐婷", "F", "15712345010", "1994-08-08", jingan, {}),
    ("孙悦", "F", "15812345011", "1990-10-10", jingan, {}),
    ("马丽", "F", "15912345012", "1986-03-03", jingan, {}),
    ("朱琳", "F", "18612345013", "1997-07-07", jingan, {}),
    ("胡歌", "M", "18712345014", "1982-09-20", jingan, {}),
    ("郭晶晶", "F", "18812345015", "1981-10-15", pudong, {}),
    ("林心如", "F", "18912345016", "1986-01-27", pudong, {}),
    ("何炅", "M", "13012345017", "1974-04-28", pudong, {}),
    ("高圆圆", "F", "13112345018", "1979-10-05", pudong, {}),
    ("罗敏", "F", "13212345019", "1992-02-02", pudong, {}),
    ("梁静", "F", "13312345020", "1990-12-12", pudong, {}),
    ("宋佳", "F", "13512345021", "1983-11-13", pudong, {}),
    ("郑丽", "F", "17712345022", "1995-05-20", pudong, {}),
    ("谢娜", "F", "17612345023", "1981-05-06", pudong, {}),
    ("韩雪", "F", "17312345024", "1983-11-11", pudong, {}),
    ("唐嫣", "F", "18012345025", "1983-12-06", pudong, {}),
    # likely duplicates: the same mobile; the same name and birthday in both branches
    ("王晓明", "M", "13912345001", "1992-07-01", jingan, {}),
    ("李娜", "F", "", "1990-01-20", pudong, {}),
]
ids = {}
for name, gender, mobile, birthday, branch, extra in PEOPLE:
    data = {"name": name, "gender": gender, "mobile": mobile, "branch_id": branch.pk,
            "birthday": dt.date.fromisoformat(birthday), "owner_id": front.pk}
    data.update(extra)
    customer = customer_create(actor=owner, data=data)
    ids.setdefault(name, customer.pk)

# Some customers have not been confirmed for two years: the "to confirm" queue.
old = timezone.now() - dt.timedelta(days=730)
stale_names = ["刘洋", "杨丽", "黄蓉", "马丽", "何炅", "宋佳"]
Customer.objects.filter(business=owner.business, name__in=stale_names).update(
    identity_verified_at=old, contact_verified_at=old, health_verified_at=old,
    preferences_verified_at=old, consent_verified_at=old, verified_at=old,
)
# Sales (the checkout browser test): a small menu, a product in stock at 静安店, a beautician,
# the 金卡 tier (88% of list) with "pay ¥1,000 get ¥200", and for 张三 a 金卡 card topped up with
# ¥1,000 (+ ¥200 bonus) and a package of 10 facials.
from liuke.sales import services as sales
from liuke.sales.models import BonusRule, CardTier, Product, Service

beautician = staff(owner.business, "lin", "Beautician-2026!", Role.BEAUTICIAN, [jingan],
                   "美容师小林")
menu = {}
for category, name, minutes, price in [
    ("facial", "深层清洁护理", 60, 12800), ("facial", "补水焕颜护理", 75, 26800),
    ("spa", "肩颈舒缓按摩", 45, 19800), ("lashes", "美睫嫁接", 90, 29800),
]:
    menu[name] = Service.objects.create(business=owner.business, category=category, name=name,
                                        duration_min=minutes, price_fen=price)
mask = Product.objects.create(business=owner.business, name="玻尿酸补水面膜", sku="MASK-01",
                              price_fen=16800)
sales.stock_receive(actor=owner, product_id=mask.pk, branch_id=jingan.pk, quantity=24)
gold = CardTier.objects.create(business=owner.business, name="金卡", discount_pct=88)
BonusRule.objects.create(business=owner.business, pay_fen=100000, bonus_fen=20000)
zhang = Customer.objects.get(pk=ids["张三"])
card = sales.card_issue(actor=owner, customer_id=zhang.pk, branch_id=jingan.pk,
                        number="JA-VIP-0001", tier_id=gold.pk)
sales.card_topup(actor=owner, card_id=card.pk, amount_fen=100000, method="wechat")
package = sales.package_sell(actor=owner, customer_id=zhang.pk, branch_id=jingan.pk,
                             name="深层清洁10次卡", service_ids=[menu["深层清洁护理"].pk],
                             sessions=10, price_fen=98000, method="alipay")
print(json.dumps({"customers": ids, "branches": {"jingan": jingan.pk, "pudong": pudong.pk},
                  "fuzz_branches": [b.pk for b in fuzz.branches.all()],
                  "sales": {"card": card.pk, "package": package.pk, "beautician": beautician.pk,
                            "mask": mask.pk,
                            "services": {name: s.pk for name, s in menu.items()}}}))
"""


#: The paths `LiveServer.logged_so_far` asks for: numbers, so that no run of digits in one looks
#: like a mobile (the log masks those).
_MARKERS = itertools.count(1)


@dataclass
class LiveServer:
    """A running production server and what the tests need to know about it."""

    url: str
    owner: tuple[str, str]
    front_desk: tuple[str, str]
    fuzz_owner: tuple[str, str]
    seed: dict[str, dict[str, int]]
    env: dict[str, str] = field(repr=False)
    log_path: Path
    database: str
    _log_offset: int = field(default=0, repr=False)

    def customer_id(self, name: str) -> int:
        return self.seed["customers"][name]

    def fuzz_branch(self, index: int) -> int:
        """The id of the fuzz business's branch number `index` (the seed keeps them in a list)."""
        branches = cast(list[int], self.seed["fuzz_branches"])
        return branches[index]

    def log_tail(self, chars: int = 6000) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]

    def logged_so_far(self, timeout: float = 10.0) -> None:
        """Wait until the server has written its log lines for every request answered so far.

        A gunicorn worker writes a request's access line just after sending the answer, so a
        test can end before the line of its last request is in the log. This asks for a path
        of its own and waits for that path's access line: the worker that answers it has
        written everything before it, and the other worker finished its last answer (and its
        line) before the test made this round trip. (A fixed 0.2 s wait did the same, 200 ms
        per live test.)"""
        path = f"/__logged-so-far__/{next(_MARKERS)}/"
        try:
            urllib.request.urlopen(f"{self.url}{path}", timeout=timeout).close()
        except urllib.error.HTTPError as answer:  # a 404, as expected
            answer.close()
        line = f" GET {path}".encode()  # the access line (the 404's warning has no method)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.log_path.open("rb") as log:
                log.seek(self._log_offset)
                if line in log.read():
                    return
            time.sleep(0.01)

    def new_errors(self) -> list[str]:
        """Errors the server logged since the previous call: 5xx answers, ERROR/CRITICAL
        lines, and each traceback (even one logged with a 4xx) summed up by its last line."""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            chunk = log.read().decode("utf-8", errors="replace")
            self._log_offset = log.tell()
        errors: list[str] = []
        in_traceback = False
        for line in chunk.splitlines():
            if line.startswith("Traceback"):
                in_traceback = True
            elif in_traceback and not line.startswith((" ", "\t")) and line.strip():
                if not line.startswith(("The above exception", "During handling")):
                    errors.append(f"traceback: {line}")
                    in_traceback = False
            elif (
                " ERROR " in line
                or "[ERROR]" in line
                or "[CRITICAL]" in line
                or line.startswith("access: 5")
            ):
                errors.append(line)
        return errors


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(argv: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    if result.returncode != 0:
        pytest.fail(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


class _PostgresDatabase:
    """A fresh database beside the one `url` names, on the same cluster."""

    def __init__(self, url: str) -> None:
        self.admin_url = url
        self.name = f"liuke_live_{secrets.token_hex(4)}"
        self.url = urlsplit(url)._replace(path=f"/{self.name}").geturl()

    def create(self, template: str = "template0") -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{template}" ENCODING \'UTF8\'')

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-6000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer {url} within {timeout}s:\n{log.read_text()[-6000:]}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of master and workers
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _server_env(var_dir: Path, static_root: Path) -> dict[str, str]:
    """The server's environment: this process's, without what would point it elsewhere."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTEST_")
        and k
        not in {
            "DATABASE_URL",
            "LANGUAGE_CODE",
            "REDIS_URL",
            "SQLITE_TEST_NAME",
            "MEDIA_ROOT",
            "SECRET_KEY",
            "SECRET_KEY_FILE",
            "ALLOWED_HOSTS",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="liuke.settings",
        DEBUG="0",
        LIUKE_VAR_DIR=str(var_dir),
        STATIC_ROOT=str(static_root),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")])),
    )
    return env


@dataclass
class LiveTemplate:
    """A var folder (secret key, job queue, SQLite file) and a database, migrated and seeded
    once per session; every server starts from a copy of it (`serve`)."""

    var_dir: Path
    seed: dict[str, dict[str, int]]
    postgres: _PostgresDatabase | None

    @property
    def static_root(self) -> Path:
        return self.var_dir / "static"


@contextlib.contextmanager
def live_template_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveTemplate]:
    """Migrate, collect the static files and seed, in subprocesses with the servers'
    environment; the PostgreSQL database is dropped when the block ends."""
    var_dir = tmp_path_factory.mktemp("live-template")
    env = _server_env(var_dir, var_dir / "static")
    postgres: _PostgresDatabase | None = None
    outer_url = os.environ.get("DATABASE_URL", "")
    if outer_url.startswith(("postgres://", "postgresql://")):
        postgres = _PostgresDatabase(outer_url)
        postgres.create()
        env["DATABASE_URL"] = postgres.url
    else:
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'live.sqlite3'}"
    try:
        manage = [PYTHON, "-m", "liuke.cli", "manage"]
        _run([*manage, "migrate", "--noinput", "-v", "0"], env, "migrate")
        # DEBUG=0 uses the manifest storage: {% static %} needs collected files (WhiteNoise
        # serves them from STATIC_ROOT, in the temporary folder).
        _run([*manage, "collectstatic", "--noinput", "-v", "0"], env, "collectstatic")
        creds = {"owner": OWNER, "front": FRONT_DESK, "fuzz": FUZZ_OWNER}
        out = _run([PYTHON, "-c", SEED_SCRIPT, json.dumps(creds)], env, "seeding")
        seed = json.loads(out.strip().splitlines()[-1])
        yield LiveTemplate(var_dir=var_dir, seed=seed, postgres=postgres)
    finally:
        if postgres is not None:
            postgres.drop()
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveTemplate]:
    """Migrating and seeding take longer than starting gunicorn: done once for every server."""
    with live_template_build(tmp_path_factory) as template:
        yield template


@contextlib.contextmanager
def serve(
    tmp_path_factory: pytest.TempPathFactory, template: LiveTemplate, *, workers: int = 2
) -> Iterator[LiveServer]:
    """Run gunicorn with `workers` worker processes on a database of its own, a copy of the
    migrated and seeded template, until the block ends (the copy is dropped afterwards).

    The copy is the whole var folder (the secret key and the SQLite file stay together) and,
    on PostgreSQL, a database created from the template database."""
    var_dir = tmp_path_factory.mktemp("live-var")
    shutil.copytree(
        template.var_dir, var_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("static")
    )
    env = _server_env(var_dir, template.static_root)
    postgres: _PostgresDatabase | None = None
    if template.postgres is not None:
        postgres = _PostgresDatabase(template.postgres.admin_url)
        postgres.create(template=template.postgres.name)
        env["DATABASE_URL"] = postgres.url
        database = f"PostgreSQL {postgres.name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'live.sqlite3'}"
        database = f"SQLite {var_dir / 'live.sqlite3'}"

    server: subprocess.Popen[bytes] | None = None
    log_path = var_dir / "server.log"
    try:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env["LIUKE_PUBLIC_URL"] = url  # survey links and QR codes point at this server
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [
                    PYTHON, "-m", "gunicorn", "liuke.wsgi:application",
                    "--bind", f"127.0.0.1:{port}",
                    "--workers", str(workers),
                    "--timeout", "60",
                    "--graceful-timeout", "5",
                    "--limit-request-line", "8190",
                    "--error-logfile", "-",
                    "--access-logfile", "-",
                    "--access-logformat", "access: %(s)s %(m)s %(U)s",
                ],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        _wait_until_up(f"{url}/healthz", server, log_path, timeout=60)
        live = LiveServer(
            url=url,
            owner=OWNER,
            front_desk=FRONT_DESK,
            fuzz_owner=FUZZ_OWNER,
            seed=template.seed,
            env=env,
            log_path=log_path,
            database=database,
        )
        live.new_errors()  # start-up noise is not a test's fault
        yield live
    finally:
        if server is not None:
            _stop(server)
        if postgres is not None:
            postgres.drop()


@pytest.fixture(scope="session")
def liuke_server(
    tmp_path_factory: pytest.TempPathFactory, live_template: LiveTemplate
) -> Iterator[LiveServer]:
    """Gunicorn on a copy of the seeded database, until the session ends."""
    with serve(tmp_path_factory, live_template, workers=2) as live:
        yield live


@pytest.fixture(autouse=True)
def _no_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """A live test fails when the server logged an error (a 500, a traceback) meanwhile."""
    if "liuke_server" not in request.fixturenames:
        yield
        return
    live: LiveServer = request.getfixturevalue("liuke_server")
    live.new_errors()
    yield
    live.logged_so_far()
    errors = live.new_errors()
    if errors:
        pytest.fail("the server logged errors:\n" + "\n".join(errors[:40]), pytrace=False)


@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for every browser test of this package, closed when the package's
    tests are done. Per module it cost a Playwright driver and a browser start-up each (about
    3 s of CPU, a dozen modules). Package scope, not session: while Playwright's sync API runs,
    its event loop counts as running in this thread, and Django refuses ORM calls from a thread
    with a running loop (SynchronousOnlyOperation) — the tests after tests/live use the ORM."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (Debian's chromium package)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS

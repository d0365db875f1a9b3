"""Benchmark of page rates under gunicorn at two data sizes (issue 10): requests per second, never SQL time.

Two datasets on the PostgreSQL server DATABASE_URL names, both kept between runs and never changed by a run:

- city: the city-scale dataset of `benchmarks/city_data.py` (`city_data.DEFAULT_NAME`, about 210,000 cases), which
  `make bench` builds first; without it this bench prints that it skipped and exits 0 (one that lacks migrations
  on disk is measured as it is, with a line saying so);
- demo: the 30,000-case demo district, `manage.py load_demo` into its own database `DEMO_NAME`, made here once and
  remade when the migrations or the demo's code change (a marker row holds their digest, as city_data's does).

Each dataset is served by its own gunicorn (2 sync workers, DEBUG off, collected static files), both running at once;
the demo users log in through the login page (one session each). Each page is measured on one dataset then the
other (so a change in the machine's load weighs on both alike): CLIENTS threads request it for `--seconds` after a
warm-up, and the responses per second are counted; every one must be a 200 (a redirect to the login page or an
error stops the run with gunicorn's log, exit status 1).
The login page (anonymous GET) is the baseline, measured before and after the other pages. It prints one line per
measurement, `<what>: <number> <unit>`: each page's rate, its ratio to the login page's, and for each page measured
on both datasets how many times slower it is at city scale. Issue 10's targets are printed, never enforced.

Afterwards the users are logged out, their session rows deleted, and the login records (django-axes) and
`last_login` put back as they were.

    .venv/bin/python benchmarks/pages_bench.py [--only <substring>] [--seconds N]
"""

import argparse
import hashlib
import http.client
import http.cookies
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "union_portal.settings")
django.setup()

from django.db import connection  # noqa: E402

from benchmarks import city_data  # noqa: E402
from union_portal import demo  # noqa: E402

DEMO_NAME = "union_portal_bench_demo"
DEMO_VERSION = "1"
# The code that decides what load_demo writes: a change to any of it remakes the demo database.
DEMO_SOURCES = [
    "union_portal/demo.py",
    "union_portal/management/commands/load_demo.py",
    "stations/demo.py",
    "disputes/demo.py",
    "benefits/demo.py",
]
CLIENTS = 3  # client threads: enough to keep both gunicorn workers busy
WORKERS = 2
WARM_UP = 1.5  # seconds of requests before counting: templates compiled, connections opened
TARGET_VS_LOGIN = 0.3  # at city scale, at least this share of the login page's rate
TARGET_SLOWER = 1.3  # at city scale, no more than this many times slower than at 30k
PASSWORDS = {username: password for username, password, *_ in demo.DEMO_USERS}


@dataclass(frozen=True)
class Page:
    what: str
    user: str | None  # a demo username, None for an anonymous visitor
    path: str  # or a resolver's name, see `resolve`


PAGES = [
    Page("staff case list", "staff", "/disputes/cases/"),
    Page("staff case list last page", "staff", "last-page:/disputes/cases/"),
    Page("disputes start page", "staff", "/disputes/"),
    Page("portal start page district staff", "staff", "/"),
    Page("portal start page town staff", "yinghai", "/"),
    Page("portal start page leadership", "leader", "/"),
    Page("admin case changelist", "admin", "/admin/disputes/case/"),
    Page("venue list", "staff", "/stations/"),
    Page("large enterprise list", "staff", "/disputes/bargaining/"),
    Page("bargaining census", "staff", "/disputes/bargaining/census/"),
    Page("member list", "staff", "/benefits/members/"),
    Page("hardship file list", "staff", "/benefits/files/"),
    Page("aid payment list", "staff", "/benefits/payments/"),
    Page("public finder", None, "/venues/"),
    Page("public venue page", None, "venue-page:/venues/"),
    Page("annual summary leadership", "leader", "redirect:/summary/"),
]
LOGIN_PATH = "/accounts/login/"


# --- The databases ----------------------------------------------------------------------------------------------


@contextmanager
def server_connection(name: str = "postgres"):
    """A connection in autocommit to database `name` of the server Django's default connection names."""
    import psycopg2

    settings_dict = connection.settings_dict
    db = psycopg2.connect(
        dbname=name,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
    )
    db.autocommit = True
    try:
        yield db
    finally:
        db.close()


def database_url(name: str) -> str:
    settings_dict = connection.settings_dict
    user = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        user += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{name}"


def database_exists(name: str) -> bool:
    with server_connection() as db, db.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def marker(name: str, table: str) -> str | None:
    with server_connection(name) as db, db.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [table])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT digest FROM {table}")
        row = cursor.fetchone()
        return row[0] if row else None


def demo_digest() -> str:
    """A digest of the migrations on disk and the demo's code: the demo database of another digest is stale."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True, load=True)
    digest = hashlib.sha256(DEMO_VERSION.encode())
    for node in sorted(f"{app}.{name}" for app, name in loader.disk_migrations):
        digest.update(node.encode())
    for source in DEMO_SOURCES:
        path = ROOT / source
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def ensure_demo() -> None:
    """Make the demo database DEMO_NAME unless it holds the demo of this digest (then it is kept as it is)."""
    digest = demo_digest()
    if database_exists(DEMO_NAME):
        if marker(DEMO_NAME, "bench_demo_marker") == digest:
            return
        print(f"demo dataset: {DEMO_NAME} is stale or incomplete, rebuilding")
        with server_connection() as db, db.cursor() as cursor:
            cursor.execute(f'DROP DATABASE "{DEMO_NAME}" WITH (FORCE)')
    with server_connection() as db, db.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{DEMO_NAME}"')
    started = time.perf_counter()
    env = {**os.environ, "DATABASE_URL": database_url(DEMO_NAME), "DEBUG": "false", "SECURE_SSL_REDIRECT": "false"}
    manage("migrate", "--noinput", env=env)
    manage("createcachetable", env=env)
    manage("load_demo", env=env)
    with server_connection(DEMO_NAME) as db, db.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("CREATE TABLE bench_demo_marker (digest text NOT NULL, built_at timestamptz NOT NULL)")
        cursor.execute("INSERT INTO bench_demo_marker VALUES (%s, now())", [digest])
    print(f"demo dataset build: {time.perf_counter() - started:.0f} s")


class Traces:
    """What logging in leaves in a database (django-axes' login records, users' last_login), put back afterwards."""

    def __init__(self, name: str):
        self.name = name
        with server_connection(name) as db, db.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM axes_accesslog")
            self.last_log = cursor.fetchone()[0]
            cursor.execute("SELECT username, last_login FROM auth_user WHERE username = ANY(%s)", [list(PASSWORDS)])
            self.last_login = dict(cursor.fetchall())

    def restore(self, session_keys) -> None:
        with server_connection(self.name) as db, db.cursor() as cursor:
            cursor.execute("DELETE FROM django_session WHERE session_key = ANY(%s)", [list(session_keys)])
            cursor.execute(
                "DELETE FROM axes_accesslog WHERE id > %s AND username = ANY(%s)", [self.last_log, list(PASSWORDS)]
            )
            for username, last_login in self.last_login.items():
                cursor.execute("UPDATE auth_user SET last_login = %s WHERE username = %s", [last_login, username])


# --- The server -------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def collect_static(static_root: Path) -> None:
    env = {**os.environ, "DEBUG": "false", "STATIC_ROOT": str(static_root)}
    manage("collectstatic", "--noinput", "-v", "0", env=env)


class Gunicorn:
    """The portal under gunicorn, as deployed (DEBUG off, the manifest of collected static files), on a free port."""

    def __init__(self, database: str, static_root: Path):
        self.port = free_port()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (open while the server runs; closed by stop())
        gunicorn = Path(sys.executable).with_name("gunicorn")
        env = {
            **os.environ,
            "DATABASE_URL": database_url(database),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(static_root),
        }
        command = [str(gunicorn if gunicorn.exists() else shutil.which("gunicorn"))]
        command += ["union_portal.wsgi", "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            try:
                if Browser(self.port).get(LOGIN_PATH)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-5000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# --- The client -------------------------------------------------------------------------------------------------


class Browser:
    """One visitor: a connection kept alive where the server allows it (http.client reopens it when the server
    closes it), and the cookies the portal sets."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, str]:
        """(status, Location header, body text)."""
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.http.request(method, path, body=data, headers=headers)
            response = self.http.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed the kept-alive connection between two requests: once more on a new one.
            self.http.close()
            self.http.request(method, path, body=data, headers=headers)
            response = self.http.getresponse()
        text = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.headers.get("Location", ""), text

    def get(self, path: str) -> tuple[int, str, str]:
        return self.request("GET", path)

    def log_in(self, username: str) -> None:
        """Through the login page, with the user's demo password, once (django-axes counts failures)."""
        status, _, text = self.get(LOGIN_PATH)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: {status}, no CSRF token")
        form = {"username": username, "password": PASSWORDS[username], "csrfmiddlewaretoken": token[1], "next": ""}
        status, location, _ = self.request("POST", LOGIN_PATH, form)
        if status != 302 or "sessionid" not in self.cookies or urlsplit(location).path == LOGIN_PATH:
            raise RuntimeError(f"login as {username} refused: {status} {location}")

    def log_out(self) -> None:
        if "sessionid" in self.cookies:
            self.request("POST", "/accounts/logout/", {"csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})

    def close(self) -> None:
        self.http.close()


def ok(browser: Browser, path: str) -> str:
    status, location, text = browser.get(path)
    if status != 200:
        raise RuntimeError(f"{path}: {status} {location}")
    return text


def resolve(browser: Browser, path: str) -> str:
    """The URL to measure: `last-page:<list>` the list's last page (the highest page number of its page bar),
    `venue-page:<finder>` the first venue the finder lists, `redirect:<url>` where `url` redirects to."""
    kind, _, url = path.rpartition(":")
    if kind == "last-page":
        numbers = [int(n) for n in re.findall(r'data-page="(\d+)"', ok(browser, url))]
        return f"{url}?page={max(numbers)}" if numbers else url
    if kind == "venue-page":
        found = re.search(rf'href="({re.escape(url)}[^"/?]+/)"', ok(browser, url))
        if found is None:
            raise RuntimeError(f"{url}: no venue listed")
        return found[1]
    if kind == "redirect":
        status, location, _ = browser.get(url)
        if status != 302 or urlsplit(location).path == LOGIN_PATH:
            raise RuntimeError(f"{url}: {status} {location}, not a redirect to a page")
        return location
    return path


def rate(port: int, cookies: dict, path: str, seconds: float) -> float:
    """Responses per second to GET `path`, from CLIENTS threads at once, counted for `seconds` after WARM_UP."""
    start = time.monotonic() + 0.2
    counting, end = start + WARM_UP, start + WARM_UP + seconds
    counts, failures = [0] * CLIENTS, []

    def client(n: int) -> None:
        browser = Browser(port, cookies)
        try:
            while time.monotonic() < start:
                time.sleep(0.001)
            while time.monotonic() < end:
                status, location, _ = browser.get(path)
                if status != 200:
                    failures.append(f"{path}: {status} {location}")
                    return
                if time.monotonic() >= counting:
                    counts[n] += 1
        except Exception as error:
            failures.append(f"{path}: {error!r}")
        finally:
            browser.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(failures[0])
    return sum(counts) / seconds


# --- The run ----------------------------------------------------------------------------------------------------


class Site:
    """One dataset served by its own gunicorn, with the demo users logged in (one session each)."""

    def __init__(self, dataset: str, database: str, static_root: Path, users):
        self.dataset = dataset
        self.traces = Traces(database)
        self.server = Gunicorn(database, static_root)
        self.browsers: dict[str, Browser] = {}
        self.anonymous = Browser(self.server.port)
        self.rates: dict[str, float] = {}
        try:
            for username in users:
                self.browsers[username] = Browser(self.server.port)
                self.browsers[username].log_in(username)
        except BaseException:
            self.close()
            raise

    def measure(self, what: str, user: str | None, path: str, seconds: float) -> float:
        browser = self.browsers[user] if user else self.anonymous
        try:
            self.rates[what] = rate(self.server.port, browser.cookies, resolve(browser, path), seconds)
        except RuntimeError as error:
            raise RuntimeError(f"{what} ({self.dataset}): {error}\n--- gunicorn's log:\n{self.server.output()}")
        print(f"{what} ({self.dataset}): {self.rates[what]:.1f} req/s")
        return self.rates[what]

    def close(self) -> None:
        """Log out, stop the server, then delete what logging in left (sessions, login records)."""
        session_keys = [browser.cookies.get("sessionid", "") for browser in self.browsers.values()]
        for browser in self.browsers.values():
            with suppress(OSError, http.client.HTTPException):
                browser.log_out()
            browser.close()
        self.anonymous.close()
        self.server.stop()
        self.traces.restore(session_keys)


def measure(sites: list[Site], pages: list[Page], seconds: float) -> None:
    """Each page on every site in turn (so a change in the machine's load weighs on both alike), between two
    measurements of the login page; then each page's ratio to the login page's rate."""
    for site in sites:
        site.measure("login page before", None, LOGIN_PATH, seconds)
    for page in pages:
        for site in sites:
            site.measure(page.what, page.user, page.path, seconds)
    for site in sites:
        site.measure("login page after", None, LOGIN_PATH, seconds)
    for site in sites:
        login = (site.rates.pop("login page before") + site.rates.pop("login page after")) / 2
        print(f"login page ({site.dataset}): {login:.1f} req/s")
        for what, value in site.rates.items():
            print(f"{what} ({site.dataset}) vs login page: {value / login:.3f} ratio")
        site.rates["login page"] = login


def city_ready() -> str | None:
    """Why the city dataset cannot be measured, or None when it can (a stale one is measured as it is, with a note:
    `make bench` runs city_data.py first, which rebuilds it)."""
    name = city_data.DEFAULT_NAME
    if not database_exists(name):
        return f"no city dataset {name}: run benchmarks/city_data.py first"
    if marker(name, "bench_city_marker") is None:
        return f"the city dataset {name} is incomplete or still being built: run benchmarks/city_data.py"
    missing = unapplied_migrations(name)
    if missing:
        print(f"pages bench: the city dataset lacks migrations (benchmarks/city_data.py rebuilds it): {missing} count")
    return None


def unapplied_migrations(name: str) -> int:
    """How many of the migrations on disk database `name` has not applied."""
    from django.db.migrations.loader import MigrationLoader

    on_disk = set(MigrationLoader(connection, ignore_no_migrations=True, load=True).disk_migrations)
    with server_connection(name) as db, db.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return len(on_disk - set(cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="only the pages whose name contains this text (and the login page)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds counted per page (after a warm-up)")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        print(f"pages bench: skipped (needs PostgreSQL in DATABASE_URL; this run uses {connection.vendor})")
        return
    reason = city_ready()
    if reason:
        print(f"pages bench: skipped ({reason})")
        return
    started = time.perf_counter()
    ensure_demo()
    pages = [page for page in PAGES if options.only in page.what]
    print(f"page rate target at city scale vs login page: {TARGET_VS_LOGIN} ratio")
    print(f"page rate target city vs demo: {TARGET_SLOWER} x slower")
    users = list(dict.fromkeys(page.user for page in pages if page.user))
    sites = []
    with tempfile.TemporaryDirectory(prefix="pages-bench-static-") as static_root:
        collect_static(Path(static_root))
        try:
            for dataset, database in (("demo", DEMO_NAME), ("city", city_data.DEFAULT_NAME)):
                sites.append(Site(dataset, database, Path(static_root), users))
            measure(sites, pages, options.seconds)
        finally:
            for site in sites:
                site.close()
    small, city = (site.rates for site in sites)
    slow = [
        what for what, value in city.items() if what != "login page" and value / city["login page"] < TARGET_VS_LOGIN
    ]
    slower = []
    for page in pages:
        times = small[page.what] / city[page.what]
        print(f"{page.what} city vs demo: {times:.2f} x slower")
        if times > TARGET_SLOWER:
            slower.append(page.what)
    print(f"pages under {TARGET_VS_LOGIN} x the login page's rate (city): {len(slow)} pages")
    print(f"pages more than {TARGET_SLOWER} x slower city vs demo: {len(slower)} pages")
    print(f"pages bench: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

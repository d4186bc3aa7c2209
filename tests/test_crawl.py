"""Every page a user can reach by following links answers without a server error, no link
leads to a page its reader may not open, no form and no API write answers wrong input with a
server error.

The demo data (a small register, with every app's seed) is loaded once per test (it takes most
of the time); then each demo login, and the public, follows the links of every page it reaches (a
few pages per URL shape, so the crawl stays short), and three users send every write operation of
the OpenAPI schema bodies whose fields all have the wrong type. This found a plan page that was a
500 for every officer, links from manifests and listings to other parties' factory pages (404 for
an operator), plan writes that failed on a list where an object was expected, and a form that
failed on an id that was not a number."""

import io
import json
import re
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from rongngan.accounts.models import User

pytestmark = pytest.mark.django_db

ROLES = [
    None,  # the public
    "officer",
    "provincial_officer",
    "local_gov",
    "operator",
    "inspector",
    "committee",
    "transporter",
    "processor",
    "hazmat_operator",
    "storage_inspector",
]
# Links not followed: leaving the session, switching the language, the admin site, the API
# (its own tests), and files (exports, downloads, maps' GeoJSON).
SKIP = re.compile(
    r"^/(accounts/logout|i18n|admin|api)/|\.(pdf|xlsx|csv|geojson|json|png|js|css|svg)$"
    r"|/(export|download)"
)
PER_SHAPE = 2
MAX_PAGES = 120
HREF = re.compile(r'href="([^"#]*)')


def crawl(
    client: Client, on_page: Callable[[str, str], None] | None = None
) -> tuple[int, list[tuple[str, int, str]]]:
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue: list[tuple[str, str]] = [("/", "")]
    bad: list[tuple[str, int, str]] = []
    pages = 0
    while queue and pages < MAX_PAGES:
        url, parent = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        shape = re.sub(r"\d+", "N", urlsplit(url).path)
        shapes[shape] += 1
        if shapes[shape] > PER_SHAPE:
            continue
        response = client.get(url, follow=True)
        pages += 1
        if response.status_code >= 500 or response.status_code == 404:
            bad.append((url, response.status_code, parent))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if on_page is not None:
            on_page(url, html)
        for href in HREF.findall(html):
            href = href.replace("&amp;", "&")
            if not href or href.startswith(("http://", "https://", "mailto:", "javascript:")):
                continue
            parts = urlsplit(urljoin(url, href))
            if SKIP.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append((target, url))
    return pages, bad


def seed_demo() -> None:
    call_command(
        "seed", "--scale", "demo", "--factories", "40", "--no-progress", stdout=io.StringIO()
    )


def test_no_reachable_page_fails_or_links_to_a_page_its_reader_may_not_open() -> None:
    seed_demo()
    problems = {}
    for username in ROLES:
        client = Client()
        if username is not None:
            client.force_login(User.objects.get(username=username))
        pages, bad = crawl(client)
        assert pages >= 10, (username, pages)  # the crawl really went through the site
        if bad:
            problems[username or "public"] = bad
    # the same site in English (the language switch's cookie), for the widest reach
    client = Client()
    client.force_login(User.objects.get(username="officer"))
    client.cookies["django_language"] = "en"
    pages, bad = crawl(client)
    assert pages >= 10
    if bad:
        problems["officer (English)"] = bad
    assert not problems, problems


# Values of the wrong type for any field: a list, an object, a boolean, a number too large for
# any column, text where numbers and ids are expected (a superscript digit passes isdigit()).
WRONG = [[1, 2], {"a": 1}, True, "-1e999", "1²"]


def _first_id(client: APIClient, collection: str) -> str | None:
    response = client.get(collection)
    if response.status_code != 200 or "json" not in response.get("Content-Type", ""):
        return None
    data = response.json()
    rows = data.get("results", data.get("features")) if isinstance(data, dict) else data
    for row in rows or []:
        if isinstance(row, dict):
            value = row.get("id") or row.get("code") or row.get("cas")
            if value:
                return str(value)
    return None


def test_no_api_write_fails_on_a_body_of_the_wrong_shape() -> None:
    seed_demo()
    schema = Client().get("/api/v1/schema/?format=json").json()
    components = schema["components"]["schemas"]

    def properties(op: dict) -> list[str]:
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        ref = body.get("schema", {})
        while "$ref" in ref:
            ref = components[ref["$ref"].rsplit("/", 1)[1]]
        return list(ref.get("properties", {}))

    failures = []
    calls = 0
    for username in ("officer", "operator", "hazmat_operator"):
        client = APIClient()
        client.force_authenticate(User.objects.get(username=username))
        for path, ops in schema["paths"].items():
            url = path
            while "{" in url:  # each id from the first row of its collection
                head = url.split("{", 1)[0]
                found = _first_id(client, head)
                if found is None:
                    break
                url = re.sub(r"\{[^}]+\}", found, url, count=1)
            if "{" in url:
                continue
            for method, op in ops.items():
                if method not in ("post", "put", "patch") or "auth/token" in path:
                    continue
                fields = properties(op) or ["items", "lines", "rows", "year", "data"]
                for wrong in WRONG:
                    response = getattr(client, method)(
                        url, json.dumps({f: wrong for f in fields}), content_type="application/json"
                    )
                    calls += 1
                    if response.status_code >= 500:
                        failures.append((username, method, url, wrong, response.status_code))
    assert calls > 300, calls  # every write operation was reached
    assert not failures, failures


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields (name, type, value; a select's first option)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": a.get("method", "get")}
            self._form["fields"] = []
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea"):
            self._form["fields"].append([a.get("name"), a.get("type") or "text", a.get("value")])
        elif self._form is not None and tag == "select":
            self._select = [a.get("name"), "select", None]
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None and self._select[2] is None:
            self._select[2] = a.get("value")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _collector(forms: dict[tuple, tuple[str, list]]) -> Callable[[str, str], None]:
    """Keeps the first form of each (action shape, field names) seen on the crawled pages."""

    def collect(url: str, html: str) -> None:
        parser = _Forms()
        parser.feed(html)
        for form in parser.forms:
            if form["method"].lower() != "post":
                continue
            action = urljoin(url, form["action"] or url)
            if SKIP.search(urlsplit(action).path):
                continue
            names = tuple(sorted(str(f[0]) for f in form["fields"] if f[0]))
            key = (re.sub(r"\d+", "N", urlsplit(action).path), names)
            forms.setdefault(key, (action, form["fields"]))

    return collect


# What a person can type where a number, a date, a choice or an id is expected.
TYPED = {"number": "-1e999", "date": "31/02/2569", "email": "not-an-email", "text": "x²<b>"}


def test_no_form_fails_on_empty_or_wrong_input() -> None:
    """Every POST form a user reaches, sent empty and then with wrong values, answers without a
    server error (a refusal at the field, a redirect with a message, or 403/404)."""
    seed_demo()
    failures = []
    sent = 0
    for username in ("officer", "operator", "hazmat_operator", "storage_inspector", "processor"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        forms: dict[tuple, tuple[str, list]] = {}
        collect = _collector(forms)
        crawl(client, collect)
        for action, fields in forms.values():
            for variant in ("empty", "wrong"):
                data: dict[str, object] = {}
                for name, kind, value in fields:
                    if not name or name == "csrfmiddlewaretoken":
                        continue
                    if kind in ("hidden", "submit"):
                        data[name] = value or ""
                    elif kind in ("checkbox", "radio", "select"):
                        data[name] = "" if variant == "empty" else "zz9"
                    elif kind == "file":
                        if variant == "wrong":
                            data[name] = io.BytesIO(b"\xff\xfe not a table")
                    else:
                        data[name] = "" if variant == "empty" else TYPED.get(kind, "x²<b>")
                response = client.post(action, data)
                sent += 1
                if response.status_code >= 500:
                    failures.append((username, action, variant, response.status_code))
    assert sent > 50, sent  # the forms were really reached
    assert not failures, failures

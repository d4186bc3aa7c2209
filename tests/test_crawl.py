"""Every page a user can reach by following links answers without a server error, and no link
leads to a page its reader may not open.

The demo data (a small register, with every app's seed) is loaded once; then each demo login,
and the public, follows the links of every page it reaches (a few pages per URL shape, so the
crawl stays short). This found a plan page that was a 500 for every officer and links from
manifests and listings to other parties' factory pages (404 for an operator)."""

import io
import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

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


def crawl(client: Client) -> tuple[int, list[tuple[str, int, str]]]:
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
        for href in HREF.findall(response.content.decode()):
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


def test_no_reachable_page_fails_or_links_to_a_page_its_reader_may_not_open() -> None:
    call_command(
        "seed", "--scale", "demo", "--factories", "40", "--no-progress", stdout=io.StringIO()
    )
    problems = {}
    for username in ROLES:
        client = Client()
        if username is not None:
            client.force_login(User.objects.get(username=username))
        pages, bad = crawl(client)
        assert pages >= 10, (username, pages)  # the crawl really went through the site
        if bad:
            problems[username or "public"] = bad
    assert not problems, problems

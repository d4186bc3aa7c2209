"""Thai-aware search: names are cut into words with PyThaiNLP and stored as a token column.

Thai is written without spaces between words, so "ปูนซิเมนต์ไทย" must be stored as
"ปูนซิเมนต์ ไทย" for a search for "ไทย" to find it. Queries are cut the same way and every query
word must prefix-match a stored word. On PostgreSQL that is a full-text match served by a GIN
index (the 'simple' configuration: no stemming, which suits Thai); on SQLite a LIKE per word.
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import QuerySet

from rongngan.core.thai import to_arabic_digits

_SPLIT = re.compile(r"[\s\-/.,;:()\[\]{}\"'`“”‘’&|!?<>@#%*+=_~^\\]+")
SEARCH_CONFIG = "simple"


def _is_wordlike(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


@lru_cache(maxsize=65536)
def _segment_chunk(chunk: str) -> tuple[str, ...]:
    from pythainlp.tokenize import word_tokenize  # imported late: it loads a dictionary

    if not any("\u0e00" <= ch <= "\u0e7f" for ch in chunk):
        return (chunk,)
    return tuple(t for t in word_tokenize(chunk, engine="newmm", keep_whitespace=False))


def tokens(text: str) -> list[str]:
    """Words of `text`, lower-cased, Thai digits made Arabic, in order, without duplicates."""
    seen: dict[str, None] = {}
    for chunk in _SPLIT.split(to_arabic_digits(text).lower()):
        if not chunk:
            continue
        for token in _segment_chunk(chunk):
            for part in _SPLIT.split(token):
                if part and _is_wordlike(part):
                    seen.setdefault(part, None)
    return list(seen)


def search_text(values: Iterable[str | None]) -> str:
    """The stored column: every word once, with a space on each side for prefix LIKEs."""
    words: dict[str, None] = {}
    for value in values:
        if value:
            for t in tokens(value):
                words.setdefault(t, None)
    return f" {' '.join(words)} " if words else ""


def _vector() -> SearchVector:
    return SearchVector("search_text", config=SEARCH_CONFIG)


def filter_words(qs: QuerySet, query: str) -> QuerySet:
    """Keep rows whose search_text has, for every word in `query`, a word starting with it."""
    words = tokens(query)
    if not words:
        return qs
    if connection.vendor == "postgresql":
        raw = " & ".join(f"'{w.replace(chr(39), '')}':*" for w in words)
        return qs.annotate(_sv=_vector()).filter(
            _sv=SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)
        )
    for w in words:
        qs = qs.filter(search_text__contains=f" {w}")
    return qs


def any_row(qs: QuerySet) -> bool:
    """qs.exists(), planned as a search rather than as a LIMIT 1 walk.

    Asked for one row, PostgreSQL prefers a table scan that could stop early over the GIN index,
    which costs more to start: for a word found nowhere that is the whole table (about a second
    at 140,000 rows). A materialized CTE is planned for all its rows, so it takes the index.
    """
    if connection.vendor != "postgresql":
        return qs.exists()
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH found AS MATERIALIZED ({sql}) SELECT EXISTS (SELECT 1 FROM found)", params
        )
        return bool(cursor.fetchone()[0])


def filter_substring(qs: QuerySet, query: str) -> QuerySet:
    """Rows whose words contain `query` anywhere, e.g. "ซิเมนต์" inside "ปูนซิเมนต์".

    A piece of a compound Thai word is not a word of its own, so filter_words cannot find it.
    On PostgreSQL a trigram index serves this where pg_trgm is available; elsewhere it scans.
    """
    text = " ".join(to_arabic_digits(query).lower().split())
    return qs.filter(search_text__contains=text) if text else qs


POSTGRES_TRIGRAM_INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
)

POSTGRES_INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS {name} ON {table} "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE({column}, '')))"
)

"""Store URLs and the secrets in them: which text is a URL, the user name and password taken out of one, and
neither ever shown.

Redaction fails closed: a URL that cannot be read shows nothing between its ``://`` and its last ``@``, and
any text a server sends back (an error page echoing the request) has the password, its percent-encoded
forms and the HTTP basic token taken out before it is shown.

>>> split_credentials("HTTP://steward:s%40cret@store_1:7878/base")
('http://store_1:7878/base', Credentials(user='steward', password=<hidden>))
>>> redacted("http://steward:secret@[not a host/x")
'http://[not a host/x'
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from dataclasses import dataclass, field

from policeonto.errors import shorten

__all__ = ["Credentials", "Origin", "conceal", "origin", "printable", "redacted", "split_credentials", "url_scheme"]

#: What a store URL may use.
SCHEMES = ("http", "https")

_SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://")

#: A URL, with or without a user name (and password) before its host. The user part runs to the last ``@``
#: that a host (and port) follows, so a password holding ``#``, ``/``, ``?`` or ``@`` unencoded is still
#: taken out. A host is any run of characters that are not delimiters, space or control characters (so
#: ``store_1`` and ``hôte.example`` are hosts), or an IPv6 address in brackets.
_URL = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?:(?P<userinfo>.*)@)?"
    r"(?P<host>[^\x00-\x20\x7f-\x9f/?#@\[\]:\\]+|\[[0-9A-Za-z:.%\-]+\])(?P<port>:[0-9]*)?(?P<rest>[/?#].*)?",
    re.DOTALL,
)

#: A scheme, a host name (lower case) and a port: where credentials may be sent.
Origin = tuple[str, str, int | None]


@dataclass(frozen=True)
class Credentials:
    """A user name and password for HTTP basic authentication (the password is never shown)."""

    user: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, password=<hidden>)"

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header's value."""
        return f"Basic {self.token}"

    @property
    def token(self) -> str:
        return base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")

    def secrets(self) -> tuple[str, ...]:
        """Every form of the password that a server could echo: as written, percent-encoded, with the user
        name, and the basic token; each also as :func:`printable` shows it (longest first, so a longer form
        is taken out whole)."""
        forms = {
            self.token,
            f"{self.user}:{self.password}",
            self.password,
            urllib.parse.quote(self.password, safe=""),
            urllib.parse.quote_plus(self.password),
        }
        forms |= {printable(form, limit=None) for form in forms}
        return tuple(sorted((form for form in forms if form), key=len, reverse=True))


def url_scheme(text: str) -> str | None:
    """The scheme (in lower case) if *text* is written as a URL, ``scheme://...``; None for anything else.

    >>> url_scheme("HTTPS://example.org"), url_scheme("ftp://x"), url_scheme("out/store")
    ('https', 'ftp', None)
    """
    match = _SCHEME.match(text)
    return match["scheme"].lower() if match else None


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """*url* without a user name and password (its scheme in lower case), and them (percent-decoded) if it
    had any.

    >>> split_credentials("http://steward:s%40cret@127.0.0.1:7878/base")[0]
    'http://127.0.0.1:7878/base'
    >>> split_credentials("http://steward:se#cr/et@127.0.0.1:7878")[1].password
    'se#cr/et'
    >>> split_credentials("https://example.org/sparql")
    ('https://example.org/sparql', None)

    Raises:
        ValueError: *url* is no URL whose host and port can be read (the message does not repeat it).
    """
    match = _URL.fullmatch(url)
    if match is None:
        raise ValueError("the URL's host or port cannot be read")
    clean = f"{match['scheme'].lower()}://{match['host']}{match['port'] or ''}{match['rest'] or ''}"
    try:
        urllib.parse.urlsplit(clean).port  # noqa: B018 (raises on a port out of range)
    except ValueError as exc:
        raise ValueError("the URL's port is not a port number") from exc
    if match["userinfo"] is None:
        return clean, None
    user, _, password = match["userinfo"].partition(":")
    return clean, Credentials(urllib.parse.unquote(user), urllib.parse.unquote(password))


def redacted(url: str) -> str:
    """*url* without any user name or password in it. A URL that cannot be read shows nothing between its
    ``://`` and its last ``@``.

    >>> redacted("http://user:secret@127.0.0.1:7878/store?graph=x")
    'http://127.0.0.1:7878/store?graph=x'
    >>> redacted("http://user:secret@host:port")
    'http://host:port'
    """
    match = _URL.fullmatch(url)
    if match is not None:
        return f"{match['scheme']}://{match['host']}{match['port'] or ''}{match['rest'] or ''}"
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    return scheme + separator + rest.rpartition("@")[2]


def origin(url: str) -> Origin:
    """Where *url* sends a request: its scheme, host (lower case) and port (the scheme's default if none).

    >>> origin("HTTP://Store:80/query"), origin("https://store/x")
    (('http', 'store', 80), ('https', 'store', 443))
    """
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or ""), parts.port or {"http": 80, "https": 443}.get(scheme)


def conceal(text: str, secrets: tuple[str, ...], *, limit: int | None = 200) -> str:
    """*text* (from a server) to show: on one line, without any of *secrets* (each replaced by ``***``),
    cut to about *limit* characters.

    >>> conceal("Authorization: Basic c3RldzpzZWNyZXQ=\\n\\n", Credentials("stew", "secret").secrets())
    'Authorization: Basic ***'
    """
    for secret in secrets:
        text = text.replace(secret, "***")
    text = printable(text, limit=None)
    for secret in secrets:  # as printable shows them: spaces run together, control characters escaped
        text = text.replace(secret, "***")
    return printable(text, limit=limit)


def printable(text: str, *, limit: int | None = 80) -> str:
    """*text* on one line, control characters escaped, cut to about *limit* characters with an ellipsis.

    >>> printable("a\\x1b[31m  b\\nc" + "x" * 100, limit=16)
    'a\\\\x1b[31m b cxx…'
    """
    text = " ".join(text.split())
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return text if limit is None else shorten(text, limit)

"""Which addresses the feed poller may fetch: the server must not become a probe of its own network.

A feed URL is fetched from inside the bureau's network, so an open "poll any
URL" would let anyone who can register a feed reach internal services and map
which ports answer. Feeds are therefore limited to host names the bureau
lists (`YANYUN_OPINION__FEED_HOSTS`), every address a name resolves to must be
public unless private ones are allowed explicitly, redirects are not
followed, and a failure is reported without the network's own words.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.request
from urllib.parse import urlsplit

from yanyun.opinion.text import Rejected, rejected


def host_allowed(host: str, allowed: list[str]) -> bool:
    """`news.example.cn` matches `news.example.cn`, and `.example.cn` matches any subdomain.

    >>> host_allowed("rss.hy.gov.cn", [".hy.gov.cn"])
    True
    >>> host_allowed("hy.gov.cn.evil.io", [".hy.gov.cn"])
    False
    """
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.lower().rstrip(".")
        if entry.startswith(".") and (host.endswith(entry) or host == entry[1:]):
            return True
        if host == entry:
            return True
    return False


def check_url(url: str, allowed: list[str]) -> str:
    """The URL's host if the bureau allows feeds from it, else a refusal."""
    try:
        parts = urlsplit(url)
        hostname, _port = parts.hostname, parts.port  # both are parsed only when read
    except ValueError as exc:  # an unbalanced "[" of an IPv6 literal, a bad port
        raise rejected("feed_not_allowed", "the URL cannot be read") from exc
    if parts.scheme not in ("http", "https") or not hostname:
        raise rejected("feed_not_allowed", "only http(s) URLs with a host")
    if parts.username or parts.password:
        raise rejected("feed_not_allowed", "credentials in a feed URL are not accepted")
    if not host_allowed(hostname, allowed):
        raise rejected("feed_not_allowed", f"host {hostname} is not in the feed allow-list")
    return hostname


def check_addresses(host: str, port: int, *, allow_private: bool) -> None:
    """Refuse a host that resolves to a loopback, private, link-local or reserved address."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise rejected("feed_error", "the feed's host name does not resolve") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if allow_private:
            continue
        if not address.is_global or address.is_multicast:
            raise rejected("feed_not_allowed", "the feed's host resolves to a non-public address")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise rejected("feed_redirect", f"the feed answered {code} (redirects are not followed)")


OPENER = urllib.request.build_opener(_NoRedirects())

__all__ = ["OPENER", "Rejected", "check_addresses", "check_url", "host_allowed"]

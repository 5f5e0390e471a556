"""One host's side of the wire: its urllib3 connection pools, its proxy and its cookies.

The client used to send through a `requests.Session` per host. Measured over a harvest
(`bench/bench_harvest.py --profile`), requests' own layers (merging session settings,
preparing the request, hooks, building its `Response`, looking the pool up again on every
request) cost more CPU than urllib3's exchange beneath them. So a host's requests now go
straight to a urllib3 pool made once per scheme, and requests keeps only what it is good
at here and costs nothing per request: reading the environment's proxies once per host,
its proxy managers (HTTP and SOCKS, with the proxy's credentials) when a proxy applies,
and its cookie jar, asked only when a host has set a cookie.

What is sent is what the session sent: the same default headers (`Accept`,
`Accept-Encoding`, `Connection`, the client's `User-Agent`), a form body encoded as
requests encodes it, cookies the host set, certificates checked against the CA bundle
requests uses (certifi's, or `REQUESTS_CA_BUNDLE` / `CURL_CA_BUNDLE`). Connections are
built by the watchdog's classes (`watchdog.watched`), so trickling headers stay bounded.
"""

from __future__ import annotations

import functools
import os
import ssl
import threading
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

import requests
import urllib3
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar, get_cookie_header
from urllib3.util.ssl_ import create_urllib3_context

from connectors.http.watchdog import watched

#: The headers every request carries unless it says otherwise (requests' defaults).
DEFAULT_HEADERS = {
    "Accept-Encoding": requests.utils.DEFAULT_ACCEPT_ENCODING,
    "Accept": "*/*",
    "Connection": "keep-alive",
}
_FORM = "application/x-www-form-urlencoded"
_PORTS = {"http": 80, "https": 443}


@functools.cache
def _verified_context() -> ssl.SSLContext:
    """One TLS context with requests' CA bundle (certifi's) loaded, shared by every pool
    (loading the bundle per pool costs milliseconds)."""
    context = create_urllib3_context()
    context.load_verify_locations(requests.utils.DEFAULT_CA_BUNDLE_PATH)
    return context


def _tls_options() -> dict[str, object]:
    """Certificate checks as requests makes them: the environment's CA bundle, else its own."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if not bundle:
        return {"cert_reqs": "CERT_REQUIRED", "ssl_context": _verified_context()}
    where = "ca_cert_dir" if os.path.isdir(bundle) else "ca_certs"
    return {"cert_reqs": "CERT_REQUIRED", where: bundle}


class HostSession:
    """The connections, proxy and cookies of one host key (`hostname:port`). Thread-safe."""

    def __init__(self, host: str, user_agent: str, pool_size: int) -> None:
        self.host = host
        self.headers = {"User-Agent": user_agent, **DEFAULT_HEADERS}
        # Read once here: requests would scan the whole environment on every request.
        self._proxies = requests.utils.get_environ_proxies(f"http://{host}/")
        self._pool_size = pool_size
        self._pools: dict[str, tuple[urllib3.HTTPConnectionPool, bool]] = {}
        self._managers: list[urllib3.PoolManager] = []
        self._lock = threading.Lock()
        self._cookies: RequestsCookieJar | None = None  # made when the host first sets one

    def _pool(self, url: str) -> tuple[urllib3.HTTPConnectionPool, bool]:
        """The pool for `url`'s scheme, made on first use, and whether the request line
        names the whole URL (a plain-HTTP proxy) rather than its path."""
        scheme = url.split(":", 1)[0].lower()
        found = self._pools.get(scheme)
        if found is None:
            with self._lock:
                found = self._pools.get(scheme) or self._make_pool(scheme, url)
                self._pools[scheme] = found
        return found

    def _make_pool(self, scheme: str, url: str) -> tuple[urllib3.HTTPConnectionPool, bool]:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or _PORTS[scheme]
        tls = _tls_options() if scheme == "https" else {}
        proxy = requests.utils.select_proxy(url, self._proxies)
        if proxy:
            proxy = requests.utils.prepend_scheme_if_needed(proxy, "http")
            manager = requests.adapters.HTTPAdapter(pool_maxsize=self._pool_size).proxy_manager_for(proxy)
            self._managers.append(manager)
            pool = manager.connection_from_host(host, port, scheme, pool_kwargs=tls)
            whole = scheme == "http" and not proxy.lower().startswith("socks")
        else:
            kind = urllib3.HTTPSConnectionPool if scheme == "https" else urllib3.HTTPConnectionPool
            pool, whole = kind(host, port, maxsize=self._pool_size, block=False, **tls), False
        pool.ConnectionCls = watched(scheme)
        return pool, whole

    def send(
        self,
        method: str,
        url: str,
        data: list[tuple[str, str]] | None,
        headers: dict[str, str],
        timeout: urllib3.Timeout,
    ) -> urllib3.BaseHTTPResponse:
        """Send one request without following redirects or reading the body; urllib3's
        exceptions pass through (`exchange.send` words them)."""
        pool, whole = self._pool(url)
        sent = _merged(self.headers, headers)
        body = None
        if data is not None:
            body = urlencode(data).encode("ascii")
            sent.setdefault("Content-Type", _FORM)
        if self._cookies:
            cookie = get_cookie_header(self._cookies, SimpleNamespace(url=url, headers=sent))
            if cookie and "Cookie" not in sent:
                sent["Cookie"] = cookie
        target = url if whole else _path_of(url)
        response = pool.urlopen(
            method,
            target,
            body=body,
            headers=sent,
            retries=False,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
            timeout=timeout,
        )
        if "set-cookie" in response.headers:
            with self._lock:
                self._cookies = self._cookies if self._cookies is not None else RequestsCookieJar()
            extract_cookies_to_jar(self._cookies, SimpleNamespace(url=url, headers=sent), response)
        return response

    def close(self) -> None:
        """Close every pooled connection of the host."""
        with self._lock:
            pools, managers = [pool for pool, _ in self._pools.values()], self._managers
            self._pools, self._managers = {}, []
        for pool in pools:
            pool.close()
        for manager in managers:
            manager.clear()


def _merged(defaults: dict[str, str], given: dict[str, str]) -> dict[str, str]:
    """`defaults` overridden by `given`, header names compared without case."""
    taken = {name.lower() for name in given}
    return {**{k: v for k, v in defaults.items() if k.lower() not in taken}, **given}


def _path_of(url: str) -> str:
    """The request target of `url`: its path (at least `/`) and query."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path

"""The one HTTP client: polite, bounded, and suspicious of everything a portal sends.

One `HttpClient` serves a whole process and is shared by its threads. For every host it
keeps a session (urllib3 pools, proxy, cookies) and a politeness gate (a minimum, jittered delay between the
starts of two requests to the host, and at most `per_host_concurrency` requests in
flight). A request may only go to the hosts its caller allows; redirects are followed by
hand so every hop is checked. Bodies are streamed under a wire-size cap and a decoded-size
cap, decoded with the charset the page declares (else UTF-8, else gb18030), archived by
sha256, and logged. Validators (ETag, Last-Modified) are remembered per URL so the next
request is conditional and a 304 is answered from the archive. The policies (politeness,
retries, caps, hosts) are described in docs/reliability.md.

One concern per module: `hosts` (host keys, the allow-list), `charset` (decoding),
`politeness` (the per-host gate), `deadline` and `watchdog` (the bound on a whole
exchange), `session` (a host's pools, proxy and cookies), `host_table` (hosts made on
first use, dropped when no running portal may use them), `validators` (conditional
requests), `exchange` (one request on the wire), `answer` (what one response means),
`retry` (attempts, backoff, Retry-After), `page` (what a fetch returns and logs, and how a
body becomes a page), `client` (`HttpClient`).
"""

from connectors.http.charset import decode_body
from connectors.http.client import HttpClient
from connectors.http.hosts import allowed_hosts, host_key
from connectors.http.page import Page

__all__ = [
    "HttpClient",
    "Page",
    "allowed_hosts",
    "decode_body",
    "host_key",
]

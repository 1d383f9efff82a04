"""The shared upstream session; URL and header building; network failures → errors.py. Nothing else catches them."""

from __future__ import annotations

import asyncio
from typing import Mapping

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy

from lectr.config import Settings
from lectr.errors import BadRequest, UpstreamError, UpstreamStreamBroken, UpstreamTimeout
from lectr.providers import REGISTRY
from lectr.providers.azure import DEFAULT_API_VERSION
from lectr.proxy.auth import Org
from lectr.proxy.paths import Route

# Never forwarded upstream: hop-by-hop, framing, Lectr's own, and every way a client sends its key.
_DROP_REQUEST = frozenset(
    {
        "host", "content-length", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "trailers", "transfer-encoding", "upgrade", "accept-encoding",
        "authorization", "x-api-key", "api-key",
    }
)
_SKIP_UA = ("User-Agent",)
# Never copied back to the client: hop-by-hop and framing (aiohttp sets its own).
DROP_RESPONSE = frozenset(
    {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
        "transfer-encoding", "upgrade", "content-length",
    }
)


def provider_key(headers: Mapping[str, str]) -> str | None:
    """The caller's provider key, from whichever header its SDK uses."""
    auth = headers.get("authorization")
    if auth:
        scheme, _, token = auth.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else auth.strip()
    return headers.get("x-api-key") or headers.get("api-key")


def upstream_headers(incoming: CIMultiDictProxy[str], provider: str, key: str | None) -> CIMultiDict[str]:
    spec = REGISTRY[provider]
    out: CIMultiDict[str] = CIMultiDict([
        (name, value) for name, value in incoming.items()
        if (low := name.lower()) not in _DROP_REQUEST and not low.startswith("x-lectr-")
    ])
    for name, value in spec.default_headers:
        out.setdefault(name, value)
    if key:
        out[spec.auth_header] = spec.auth_value(key)
    out["accept-encoding"] = "identity"  # bodies are read for usage, so ask for them uncompressed
    return out


def upstream_url(settings: Settings, route: Route, provider: str, org: Org, model: str | None, query: str) -> str:
    if provider == "azure":
        return _azure_url(route, org, model, query)
    base = getattr(settings, REGISTRY[provider].base_url_setting).rstrip("/")
    return base + route.suffix + ("?" + query if query else "")


def _azure_url(route: Route, org: Org, model: str | None, query: str) -> str:
    if not org.azure_endpoint:
        raise BadRequest(
            "Azure requests need the org's Azure endpoint: run `lectr azure set ORG --endpoint URL` "
            "or set it in the dashboard settings.",
            code="azure_config_missing",
        )
    deployment = route.deployment or model
    if not deployment:
        raise BadRequest("Azure requests need a deployment name in `model`.", param="model")
    version = org.azure_api_version or DEFAULT_API_VERSION
    if route.deployment is not None and query:  # the AzureOpenAI client chose its own api-version
        return f"{org.azure_endpoint.rstrip('/')}/openai/deployments/{deployment}{route.suffix}?{query}"
    return f"{org.azure_endpoint.rstrip('/')}/openai/deployments/{deployment}{route.suffix}?api-version={version}"


def make_session(settings: Settings) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300, enable_cleanup_closed=True)
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=settings.connect_timeout, sock_read=settings.read_timeout
    )
    return aiohttp.ClientSession(
        connector=connector, timeout=timeout, auto_decompress=False,
        cookie_jar=aiohttp.DummyCookieJar(),
    )


async def open_response(
    session: aiohttp.ClientSession, method: str, url: str, headers: CIMultiDict[str], body: bytes | None
) -> aiohttp.ClientResponse:
    """Send the request and read the response head; connect failures and timeouts become contract errors.
    The caller must hand the response to finish() when done with it."""
    # aiohttp adds its own User-Agent unless told not to; the client's, when it sent one, is forwarded.
    skip = None if "user-agent" in headers else _SKIP_UA
    try:
        return await session.request(
            method, url, headers=headers, data=body, allow_redirects=False, skip_auto_headers=skip
        )
    except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
        raise UpstreamTimeout("The provider did not answer in time.") from None
    except aiohttp.ClientConnectorError:
        raise UpstreamError("Could not connect to the provider.") from None
    except aiohttp.ClientError:
        raise UpstreamError("The provider closed the connection without answering.") from None


def finish(resp: aiohttp.ClientResponse) -> None:
    """Return the connection to the pool, or drop it when the body was not read to the end."""
    if resp.content.at_eof():
        resp.release()
    else:  # the client left or the body was not wanted: dropping the connection cancels upstream work
        resp.close()


async def read_chunk(resp: aiohttp.ClientResponse) -> bytes:
    """The next chunk of the body; b"" at its end. Raises UpstreamError/UpstreamTimeout if it dies."""
    try:
        return await resp.content.readany()
    except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
        raise UpstreamTimeout("The provider stopped sending in the middle of the response.") from None
    except aiohttp.ClientError:
        raise UpstreamStreamBroken("The provider connection died in the middle of the response.") from None


async def read_body(resp: aiohttp.ClientResponse) -> bytes:
    chunks = []
    while chunk := await read_chunk(resp):
        chunks.append(chunk)
    return b"".join(chunks)


"""The shared upstream connection pool; URL and header building; network failures → errors.py. Nothing else catches them."""

from __future__ import annotations

from typing import Mapping

from multidict import CIMultiDict, CIMultiDictProxy

from lectr.config import Settings
from lectr.errors import BadRequest, UpstreamBadResponse, UpstreamError, UpstreamStreamBroken, UpstreamTimeout
from lectr.providers import REGISTRY
from lectr.providers.azure import DEFAULT_API_VERSION
from lectr.proxy.client import BadHead, ClientError, ConnectFailed, ReadTimeout, Response, UpstreamClient
from lectr.proxy.auth import Org
from lectr.proxy.paths import Route

# Never forwarded upstream: hop-by-hop, framing, Lectr's own, and every way a client sends its key.
_DROP_REQUEST = frozenset(
    {
        "host", "content-length", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "trailers", "transfer-encoding", "upgrade", "accept-encoding", "expect",
        "authorization", "x-api-key", "api-key",
    }
)
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


def make_session(settings: Settings) -> UpstreamClient:
    """The process's upstream connection pool; call inside the running loop."""
    return UpstreamClient(connect_timeout=settings.connect_timeout, read_timeout=settings.read_timeout)


async def open_response(
    session: UpstreamClient, method: str, url: str, headers: CIMultiDict[str], body: bytes | None
) -> Response:
    """Send the request and read the response head; connect failures and timeouts become contract errors.
    The caller must hand the response to finish() when done with it."""
    try:
        return await session.request(method, url, headers.items(), body)
    except ReadTimeout:
        raise UpstreamTimeout("The provider did not answer in time.") from None
    except ConnectFailed:
        raise UpstreamError("Could not connect to the provider.") from None
    except BadHead:
        raise UpstreamBadResponse("The provider answered with something that is not an HTTP response.") from None
    except ClientError:
        raise UpstreamError("The provider closed the connection without answering.") from None


def finish(resp: Response) -> None:
    """Return the connection to the pool, or drop it when the body was not read to the end."""
    resp.release()  # a body not read to its end closes the connection: that cancels the provider's work


async def read_chunk(resp: Response) -> bytes:
    """The next chunk of the body; b"" at its end. Raises UpstreamError/UpstreamTimeout if it dies."""
    try:
        return await resp.read_chunk()
    except ReadTimeout:
        raise UpstreamTimeout("The provider stopped sending in the middle of the response.") from None
    except ClientError:
        raise UpstreamStreamBroken("The provider connection died in the middle of the response.") from None


async def read_body(resp: Response) -> bytes:
    chunks = []
    while chunk := await read_chunk(resp):
        chunks.append(chunk)
    return b"".join(chunks)

"""The error tree. Each error fixes its HTTP status, contract code, type and message.

    LectrError
    ├── AuthError (401)            missing_lectr_key, invalid_lectr_key, org_disabled
    ├── BadRequest (400)           invalid_request, invalid_provider, azure_config_missing
    ├── NotFound (404)             not_found
    ├── TooLarge (413)             request_too_large
    ├── RateLimited (429)          rate_limit_exceeded, concurrent_streams_exceeded
    └── UpstreamError              provider_unreachable (503), provider_timeout (504), provider_bad_response (502),
                                   provider_stream_interrupted (502, mid-stream only)

Messages never contain request bodies, headers or keys.
"""

from __future__ import annotations


class LectrError(Exception):
    status: int = 500
    type: str = "server_error"
    code: str = "internal_error"
    source: str = "proxy"

    def __init__(self, message: str, code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.param = param


class AuthError(LectrError):
    status = 401
    type = "authentication_error"
    code = "invalid_lectr_key"


class BadRequest(LectrError):
    status = 400
    type = "invalid_request_error"
    code = "invalid_request"


class NotFound(LectrError):
    status = 404
    type = "invalid_request_error"
    code = "not_found"


class TooLarge(LectrError):
    status = 413
    type = "invalid_request_error"
    code = "request_too_large"


class RateLimited(LectrError):
    status = 429
    type = "rate_limit_error"
    code = "rate_limit_exceeded"


class UpstreamError(LectrError):
    status = 503
    type = "api_error"
    code = "provider_unreachable"
    source = "provider"  # Lectr answers, but the provider is the one that failed


class UpstreamTimeout(UpstreamError):
    status = 504
    code = "provider_timeout"


class UpstreamBadResponse(UpstreamError):
    status = 502
    code = "provider_bad_response"


class UpstreamStreamBroken(UpstreamError):
    status = 502
    code = "provider_stream_interrupted"

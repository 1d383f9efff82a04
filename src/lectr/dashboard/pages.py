"""The HTML side: sign-in and sign-out, and the page shell that the dashboard's JavaScript fills in."""

from __future__ import annotations

from pathlib import Path
from string import Template
from urllib.parse import quote

from aiohttp import web
from html import escape

from lectr.dashboard.access import Access
from lectr.dashboard.cookies import clear_session_cookie, set_session_cookie
from lectr.dashboard.sessions import csrf_matches
from lectr.errors import AuthError

TEMPLATES = Path(__file__).parent / "templates"
# path → (view name, title); every page has a JSON twin under /api/v1/ (see api/dashboard.py)
PAGES: dict[str, tuple[str, str]] = {
    "/": ("overview", "Overview"),
    "/models": ("models", "Models"),
    "/cost": ("cost", "Cost"),
    "/providers": ("providers", "Provider health"),
    "/features": ("features", "Features"),
    "/tasks": ("tasks", "Task types"),
    "/recommendations": ("recommendations", "Recommendations"),
    "/requests": ("requests", "Requests"),
    "/settings": ("settings", "Settings"),
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _render(name: str, **values: str) -> str:
    template = Template((TEMPLATES / name).read_text(encoding="utf-8"))
    return template.safe_substitute({k: escape(v) for k, v in values.items()})


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8", headers=SECURITY_HEADERS)


def _local_page(path: str | None) -> str:
    """Only ever redirect to one of our own pages after sign-in."""
    return path if path in PAGES else "/"


class Pages:
    def __init__(self, access: Access) -> None:
        self.access = access

    async def page(self, request: web.Request) -> web.StreamResponse:
        caller = await self.access.signed_in(request)
        if caller is None or caller.session is None:
            raise web.HTTPSeeOther("/signin?next=" + quote(request.path))
        view, title = PAGES[request.path]
        nav = "".join(
            f'<a href="{path}" data-view="{name}"{" aria-current=page" if path == request.path else ""}>{label}</a>'
            for path, (name, label) in PAGES.items()
        )
        text = _render("shell.html", csrf=caller.session.csrf, org=caller.org.name, view=view, title=title)
        return _html(text.replace("<!--nav-->", nav))

    async def signin_form(self, request: web.Request, error: str = "", status: int = 200) -> web.StreamResponse:
        if await self.access.signed_in(request) is not None:
            raise web.HTTPSeeOther(_local_page(request.query.get("next")))
        session = self.access.session(request) or self.access.signer.anonymous()
        next_page = _local_page(request.query.get("next"))
        response = _html(_render("signin.html", csrf=session.csrf, error=error, next=next_page,
                                 error_class="error" if error else "error hidden"), status)
        set_session_cookie(response, request, session, self.access.signer)
        return response

    async def signin(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        session = self.access.session(request)
        if session is None or not csrf_matches(session, str(form.get("csrf_token", ""))):
            return await self.signin_form(request, "Your sign-in form expired. Please try again.", 403)
        try:
            org, key_hash = await self.access.org_keys.resolve(str(form.get("key", "")))
        except AuthError as err:
            return await self.signin_form(request, err.message, 401)
        response = web.HTTPSeeOther(_local_page(str(form.get("next", "/"))))
        set_session_cookie(response, request, self.access.signer.signed_in(org.id, key_hash), self.access.signer)
        raise response

    async def signout(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        session = self.access.session(request)
        if session is None or not csrf_matches(session, str(form.get("csrf_token", ""))):
            raise web.HTTPForbidden(text="Missing or wrong CSRF token.")
        response = web.HTTPSeeOther("/signin")
        clear_session_cookie(response)
        raise response

    def routes(self) -> list[web.AbstractRouteDef]:
        static = Path(__file__).parent / "static"
        return [
            *(web.get(path, self.page) for path in PAGES),
            web.get("/signin", self.signin_form),
            web.post("/signin", self.signin),
            web.post("/signout", self.signout),
            web.static("/static", static, append_version=False),
        ]

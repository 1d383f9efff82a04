"""The OpenAPI description is valid-looking 3.1 and names every /api/v1 route the app serves."""

from __future__ import annotations

from pathlib import Path

import httpx

from lectr.app import build_app
from lectr.config import Settings
from tests.support.gateway import Gateway


def test_every_api_route_is_documented(tmp_path: Path) -> None:
    from lectr.api.openapi import DOCUMENT

    app = build_app(Settings(data_dir=str(tmp_path)))
    served = {(r.method.lower(), r.resource.canonical) for r in app.router.routes()
              if r.resource is not None and r.resource.canonical.startswith("/api/v1/") and r.method != "HEAD"}
    documented = {(method, path) for path, ops in DOCUMENT["paths"].items() for method in ops}
    assert served == documented


def test_document_is_served_and_its_references_resolve(gateway: Gateway) -> None:
    doc = httpx.get(f"{gateway.url}/api/v1/openapi.json", timeout=10).json()
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["LectrKey"] == {"type": "apiKey", "in": "header", "name": "X-Lectr-Key"}
    schemas = doc["components"]["schemas"]

    def refs(node: object) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if "$ref" in node else []
            return own + [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    for ref in refs(doc):
        assert ref.split("/")[-1] in schemas, ref

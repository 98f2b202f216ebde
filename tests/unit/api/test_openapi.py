"""The OpenAPI document is valid and describes exactly the app's routes and methods."""

import re

import pytest
from openapi_spec_validator import validate

from airq.api.app import create_app
from airq.api.openapi import DOCUMENT
from airq.config import Settings
from airq.readings import COLUMNS
from airq.validation import READING_FILTERS


def test_document_is_valid_openapi_3_1():
    validate(DOCUMENT)  # raises on any violation of the OpenAPI 3.1 schema


def test_document_matches_the_url_map_exactly():
    app = create_app(Settings())
    routes = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
    documented = {(path, method) for path, item in DOCUMENT["paths"].items() for method in item}
    assert documented == routes


def test_every_path_parameter_is_declared():
    for path, item in DOCUMENT["paths"].items():
        for operation in item.values():
            declared = {
                p["name"] for p in operation.get("parameters", []) if "name" in p and p["in"] == "path"
            }
            assert declared == set(re.findall(r"{(\w+)}", path)), path


def test_parameters_and_columns_match_the_code():
    readings = DOCUMENT["paths"]["/api/readings"]["get"]["parameters"]
    names = [p["$ref"].rsplit("/", 1)[1] for p in readings]
    assert names == [*READING_FILTERS, "format", "limit", "cursor"]
    assert DOCUMENT["components"]["schemas"]["Reading"]["required"] == list(COLUMNS)
    assert set(DOCUMENT["components"]["schemas"]["ExportRequest"]["properties"]) == set(READING_FILTERS)


@pytest.mark.parametrize("status", ["400", "429", "503"])
def test_every_guarded_operation_documents_the_shared_errors(status):
    for path, item in DOCUMENT["paths"].items():
        if path in ("/healthz", "/readyz", "/metrics"):
            continue
        for operation in item.values():
            assert status in operation["responses"], (path, status)

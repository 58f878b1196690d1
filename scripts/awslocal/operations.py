"""Which AWS operation an HTTP request calls, and in which protocol it expects an error.

Operations are named `service:Operation`, as AWS names them (`lambda:UpdateAlias`,
`cloudwatch:DescribeAlarms`, `sns:Publish`), from, in this order:

1. the `X-Amz-Target` header (awsJson 1.0/1.1): `Service_Version.Operation`;
2. the rpc-v2-cbor path `/service/S/operation/OP` (CloudWatch as the Rust SDK speaks it);
3. the `Action` of a query-protocol request (a form body, or the query string): SNS, ELBv2, STS,
   IAM, and CloudWatch as hashicorp/aws 3.39 speaks it;
4. the method and path of Lambda's REST API (`/<api date>/functions/NAME/aliases/ALIAS`, ...).

Anything else is `service:METHOD /first-segment`. The service is the one the request was signed
for (the SigV4 credential scope of the `Authorization` header; CloudWatch's `monitoring` is shown
as `cloudwatch`) when there is one.

Every function here takes headers as a dict with lower-case keys.
"""

from __future__ import annotations

import re
import urllib.parse

# Protocols, by how they carry an error.
REST_JSON = "rest-json"  # Lambda: JSON body, error type in `x-amzn-ErrorType`
CBOR = "cbor"  # rpc-v2-cbor: a CBOR map with `__type`
QUERY = "query"  # SNS, ELBv2, STS, IAM: an XML ErrorResponse
JSON = "json"  # awsJson 1.0/1.1 (`X-Amz-Target`): JSON with `__type`

# rpc-v2-cbor service shape names, and SigV4 signing names, that are not the service's own name.
_CBOR_SERVICES = {"GraniteService": "cloudwatch"}
_SIGNING_NAMES = {"monitoring": "cloudwatch"}
_CBOR_PATH = re.compile(r"^/service/(\w+?)(?:Version\d+)?/operation/(\w+)$")
_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")
_API_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Lambda's REST routes: (method, path segments after the API date, `*` = any one segment,
# `**` = the rest) -> operation.
LAMBDA_ROUTES: list[tuple[str, str, str]] = [
    ("GET", "functions", "ListFunctions"),
    ("POST", "functions", "CreateFunction"),
    ("GET", "functions/*", "GetFunction"),
    ("DELETE", "functions/*", "DeleteFunction"),
    ("GET", "functions/*/configuration", "GetFunctionConfiguration"),
    ("PUT", "functions/*/configuration", "UpdateFunctionConfiguration"),
    ("PUT", "functions/*/code", "UpdateFunctionCode"),
    ("GET", "functions/*/versions", "ListVersionsByFunction"),
    ("POST", "functions/*/versions", "PublishVersion"),
    ("GET", "functions/*/aliases", "ListAliases"),
    ("POST", "functions/*/aliases", "CreateAlias"),
    ("GET", "functions/*/aliases/*", "GetAlias"),
    ("PUT", "functions/*/aliases/*", "UpdateAlias"),
    ("DELETE", "functions/*/aliases/*", "DeleteAlias"),
    ("POST", "functions/*/invocations", "Invoke"),
    ("GET", "functions/*/policy", "GetPolicy"),
    ("POST", "functions/*/policy", "AddPermission"),
    ("DELETE", "functions/*/policy/*", "RemovePermission"),
    ("GET", "functions/*/concurrency", "GetFunctionConcurrency"),
    ("PUT", "functions/*/concurrency", "PutFunctionConcurrency"),
    ("DELETE", "functions/*/concurrency", "DeleteFunctionConcurrency"),
    ("GET", "functions/*/code-signing-config", "GetFunctionCodeSigningConfig"),
    ("GET", "functions/*/event-invoke-config", "GetFunctionEventInvokeConfig"),
    ("PUT", "functions/*/event-invoke-config", "PutFunctionEventInvokeConfig"),
    ("DELETE", "functions/*/event-invoke-config", "DeleteFunctionEventInvokeConfig"),
    ("GET", "functions/*/url", "GetFunctionUrlConfig"),
    ("POST", "functions/*/url", "CreateFunctionUrlConfig"),
    ("PUT", "functions/*/url", "UpdateFunctionUrlConfig"),
    ("DELETE", "functions/*/url", "DeleteFunctionUrlConfig"),
    ("GET", "event-source-mappings", "ListEventSourceMappings"),
    ("POST", "event-source-mappings", "CreateEventSourceMapping"),
    ("GET", "event-source-mappings/*", "GetEventSourceMapping"),
    ("PUT", "event-source-mappings/*", "UpdateEventSourceMapping"),
    ("DELETE", "event-source-mappings/*", "DeleteEventSourceMapping"),
    ("GET", "tags/**", "ListTags"),
    ("POST", "tags/**", "TagResource"),
    ("DELETE", "tags/**", "UntagResource"),
]


def split_target(target: str) -> tuple[str, str]:
    """`/a/b?x=y` -> (`/a/b` URL-decoded, `x=y`)."""
    parts = urllib.parse.urlsplit(target)
    return urllib.parse.unquote(parts.path), parts.query


def signed_service(headers: dict) -> str | None:
    """The service of the SigV4 credential scope: `Credential=KEY/DATE/REGION/SERVICE/aws4_request`."""
    m = _SCOPE.search(headers.get("authorization", ""))
    return _SIGNING_NAMES.get(m.group(1), m.group(1)) if m else None


def protocol(target: str, headers: dict) -> str:
    """Which error shape the caller understands."""
    if "x-amz-target" in headers:
        return JSON
    if target.startswith("/service/"):
        return CBOR
    if "x-www-form-urlencoded" in headers.get("content-type", ""):
        return QUERY
    return REST_JSON


def operation(method: str, target: str, headers: dict, body: bytes) -> str:
    """`service:Operation` of one request."""
    path, query = split_target(target)
    scope = signed_service(headers)

    amz_target = headers.get("x-amz-target")
    if amz_target:
        prefix, _, op = amz_target.rpartition(".")
        return f"{scope or prefix.split('_')[0].lower()}:{op}"

    m = _CBOR_PATH.match(path)
    if m:
        return f"{scope or _CBOR_SERVICES.get(m.group(1), m.group(1).lower())}:{m.group(2)}"

    action = _action(headers, body, query)
    if action:
        return f"{scope or 'query'}:{action}"

    segments = [s for s in path.split("/") if s]
    if segments and _API_DATE.match(segments[0]) and scope in (None, "lambda"):
        return f"lambda:{lambda_operation(method, segments[1:])}"

    first = segments[0] if segments else ""
    return f"{scope or 'other'}:{method} /{first}"


def lambda_operation(method: str, segments: list[str]) -> str:
    """Lambda's REST operation for the path segments after the API date; unknown routes are
    named by their method and path, function names replaced by NAME."""
    for route_method, pattern, op in LAMBDA_ROUTES:
        if route_method == method and _matches(pattern.split("/"), segments):
            return op
    shape = ["NAME" if i > 0 and segments[i - 1] == "functions" else s for i, s in enumerate(segments)]
    return f"{method} /{'/'.join(shape)}"


def _matches(pattern: list[str], segments: list[str]) -> bool:
    if pattern and pattern[-1] == "**":
        head = pattern[:-1]
        return len(segments) > len(head) and _matches(head, segments[: len(head)])
    return len(pattern) == len(segments) and all(p in ("*", s) for p, s in zip(pattern, segments))


def _action(headers: dict, body: bytes, query: str) -> str | None:
    if body and "x-www-form-urlencoded" in headers.get("content-type", ""):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if form.get("Action"):
            return form["Action"][0]
    if query:
        form = urllib.parse.parse_qs(query)
        if form.get("Action"):
            return form["Action"][0]
    return None


_FUNCTION = re.compile(r"/functions/(?:arn:[^/]*?:function:)?([^/?:]+)")


def function_name(target: str) -> str:
    """The Lambda function a request names in its path, or ""."""
    m = _FUNCTION.search(split_target(target)[0])
    return m.group(1) if m else ""

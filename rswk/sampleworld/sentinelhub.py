"""Sentinel Hub, as sentinelhub-py talks to it: OAuth token, Process API, Statistical API.

    POST /sentinelhub/oauth/token          form grant_type=client_credentials, client_id,
                                           client_secret (any accepted) -> {"access_token",
                                           "token_type": "Bearer", "expires_in": 3600}
    POST /sentinelhub/api/v1/process       JSON as SentinelHubRequest builds it -> image bytes
    POST /sentinelhub/api/v1/statistics    JSON as SentinelHubStatistical builds it -> JSON

Point sentinelhub-py at it with `SHConfig(sh_base_url=urls["sentinelhub"],
sh_token_url=urls["sentinelhub_token"])` and a collection defined with
`DataCollection.SENTINEL2_L2A.define_from(name, service_url=urls["sentinelhub"])`.

Process and Statistical requests need `Authorization: Bearer <token from this server>` (401
otherwise). Refusals answer 400 in Sentinel Hub's error shape `{"error": {"status", "reason",
"message", "code"}}`: unknown collection types (see `sh_bands.COLLECTION_TYPES`), bands the
sample world does not know, unreadable evalscripts or bounds. Images come from `sh_process.py`,
statistics from `sh_statistics.py`, band meanings from `sh_bands.py`. The token never depends on
the client secret and nothing here logs or stores credentials.

Counter endpoints: "sh_token", "sh_process", "sh_statistics".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from rswk.sampleworld.landscape import landscape_for
from rswk.sampleworld.routes import ROUTES, Request, Response, ServerContext, json_response
from rswk.sampleworld.sh_bands import (
    COLLECTION_TYPES,
    BandError,
    check_bands,
    output_quantities,
)
from rswk.sampleworld.sh_evalscript import Evalscript, EvalscriptError, parse_evalscript
from rswk.sampleworld.sh_geometry import BoundsError, parse_bounds, raster_size
from rswk.sampleworld.sh_process import FORMATS, ProcessError, ProcessJob, render
from rswk.sampleworld.sh_statistics import (
    StatisticsError,
    StatisticsJob,
    requested_percentiles,
    statistics,
)

TOKEN_PREFIX = "rswk-sample-"
TOKEN_SECONDS = 3600
_REFUSALS = (BandError, BoundsError, EvalscriptError, ProcessError, StatisticsError)


class RequestRefused(ValueError):
    """A payload the sample world answers with 400 and this message."""


def sh_error(status: int, reason: str, message: str, code: str) -> Response:
    """An error in Sentinel Hub's shape."""
    payload = {"error": {"status": status, "reason": reason, "message": message, "code": code}}
    return json_response(payload, status)


def _authorised(request: Request) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and token.strip().startswith(TOKEN_PREFIX)


def _unauthorised() -> Response:
    message = (
        "You are not authorized! Please provide a valid access token within the header "
        "[Authorization: Bearer <accessToken>] of your request."
    )
    return sh_error(401, "Unauthorized", message, "COMMON_UNAUTHORIZED")


@ROUTES.route("/sentinelhub/oauth/token", "sh_token", methods=("POST",))
def token(request: Request, ctx: ServerContext) -> Response:
    """Client-credentials grant: any client id and secret get a bearer token."""
    if request.param("grant_type") != "client_credentials":
        return json_response({"error": "unsupported_grant_type"}, 400)
    client_id = request.param("client_id") or request.headers.get("authorization", "")
    if not client_id:
        return json_response({"error": "invalid_client"}, 401)
    # Derived from the seed and client id only: the secret never influences any output.
    digest = hashlib.blake2b(f"{ctx.seed}:{client_id}".encode(), digest_size=16).hexdigest()
    payload = {
        "access_token": TOKEN_PREFIX + digest,
        "token_type": "Bearer",
        "expires_in": TOKEN_SECONDS,
        "refresh_expires_in": 0,
        "not-before-policy": 0,
        "scope": "email profile",
    }
    return json_response(payload, content_type="application/json")


def _payload(request: Request) -> dict[str, Any]:
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestRefused(f"request body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise RequestRefused("request body must be a JSON object")
    return payload


def _kinds(data: Any) -> set[str]:
    if not isinstance(data, list) or not data:
        raise RequestRefused("input.data must list at least one collection")
    kinds = set()
    for entry in data:
        kind = COLLECTION_TYPES.get(str((entry or {}).get("type", "")).lower())
        if kind is None:
            offered = ", ".join(sorted(COLLECTION_TYPES))
            raise RequestRefused(
                f"Collection type '{(entry or {}).get('type')}' is not offered by the sample "
                f"world (offered: {offered})"
            )
        kinds.add(kind)
    return kinds


def _max_cloud_coverage(data: Any) -> float:
    """The strictest `dataFilter.maxCloudCoverage` (percent, 0-100) of the collections."""
    limit = 100.0
    for entry in data or ():
        raw = ((entry or {}).get("dataFilter") or {}).get("maxCloudCoverage")
        if raw is None:
            continue
        if not isinstance(raw, int | float) or not 0 <= raw <= 100:
            raise RequestRefused(f"dataFilter.maxCloudCoverage must be 0-100 (got {raw!r})")
        limit = min(limit, float(raw))
    return limit


def _script(text: Any, kinds: set[str]) -> Evalscript:
    if not isinstance(text, str) or not text.strip():
        raise RequestRefused("the request has no evalscript")
    script = parse_evalscript(text)
    check_bands(script.input_bands, kinds)
    return script


def _answer(request: Request, build: Callable[[dict[str, Any]], Response]) -> Response:
    """Run `build(payload)` behind the auth check, turning refusals into 400s."""
    if not _authorised(request):
        return _unauthorised()
    try:
        return build(_payload(request))
    except (RequestRefused, *_REFUSALS) as exc:
        return sh_error(400, "Bad Request", str(exc), "COMMON_BAD_PAYLOAD")


def _process_job(payload: Mapping[str, Any], ctx: ServerContext) -> ProcessJob:
    source = payload.get("input") or {}
    kinds = _kinds(source.get("data"))
    bounds = parse_bounds(source.get("bounds") or {})
    output = payload.get("output") or {}
    responses = output.get("responses") or [{"format": {"type": "image/png"}}]
    if len(responses) != 1:
        raise RequestRefused("the sample world's Process API answers one response per request")
    media = str(((responses[0] or {}).get("format") or {}).get("type", "image/png"))
    if media not in FORMATS:
        raise RequestRefused(f"response format {media} is not one of {sorted(FORMATS)}")
    first = source["data"][0] or {}
    return ProcessJob(
        landscape=landscape_for(ctx),
        bounds=bounds,
        size=raster_size(bounds, output),
        kinds=kinds,
        script=_script(payload.get("evalscript"), kinds),
        image_format=FORMATS[media],
        time_range=(first.get("dataFilter") or {}).get("timeRange") or {},
    )


@ROUTES.route("/sentinelhub/api/v1/process", "sh_process", methods=("POST",))
def process(request: Request, ctx: ServerContext) -> Response:
    """One image of the request's bounds, as its evalscript and output ask."""

    def build(payload: dict[str, Any]) -> Response:
        job = _process_job(payload, ctx)
        media = next(k for k, v in FORMATS.items() if v == job.image_format)
        return Response(headers={"Content-Type": media}, body=render(job), items=1)

    return _answer(request, build)


def failed_answer(kind: str, response: Response) -> Response:
    """A good Statistical API answer turned into one of the failed shapes the live service
    sends with HTTP 200 (fault injection): every interval an error and `status: FAILED`; a
    top-level `error` object; or `data: null`."""
    answer = json.loads(response.body)
    if kind == "sh_failed":
        message = "Failed to process the request (sample world: injected)"
        error = {"type": "EXECUTION_ERROR", "message": message}
        data = [{"interval": entry["interval"], "error": error} for entry in answer["data"]]
        payload: dict[str, Any] = {"data": data, "status": "FAILED"}
    elif kind == "sh_error":
        payload = {
            "error": {
                "status": 500,
                "reason": "Internal Server Error",
                "message": "Rendering failed (sample world: injected)",
                "code": "RENDERER_EXCEPTION",
            }
        }
    else:
        payload = {"data": None, "status": "OK"}
    return json_response(payload, items=response.items, content_type="application/json")


@ROUTES.route(
    "/sentinelhub/api/v1/statistics",
    "sh_statistics",
    methods=("POST",),
    payload_faults=("sh_failed", "sh_error", "sh_null"),
    reshape=failed_answer,
)
def statistical(request: Request, ctx: ServerContext) -> Response:
    """Per-interval statistics of the evalscript's outputs over the request's bounds."""

    def build(payload: dict[str, Any]) -> Response:
        source = payload.get("input") or {}
        aggregation = payload.get("aggregation") or {}
        kinds = _kinds(source.get("data"))
        bounds = parse_bounds(source.get("bounds") or {})
        script = _script(aggregation.get("evalscript"), kinds)
        for spec in script.outputs:
            check_bands(output_quantities(spec, script.input_bands), kinds)
        job = StatisticsJob(
            landscape=landscape_for(ctx),
            bounds=bounds,
            raster=raster_size(bounds, aggregation),
            kinds=kinds,
            script=script,
            percentiles=requested_percentiles(payload.get("calculations")),
            max_cloud_coverage=_max_cloud_coverage(source.get("data")),
        )
        answer = statistics(job, aggregation)
        return json_response(answer, items=len(answer["data"]), content_type="application/json")

    return _answer(request, build)


ROUTES.add_url("sentinelhub", lambda base: f"{base}/sentinelhub")
ROUTES.add_url("sentinelhub_token", lambda base: f"{base}/sentinelhub/oauth/token")

"""Reading what a request sends: its JSON body and its query parameters, as models."""

from __future__ import annotations

from io import BytesIO
from typing import IO, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ..errors import InvalidData
from ..problems import problems_of
from . import exact_json
from .services import services

M = TypeVar("M", bound=BaseModel)
_READ_SIZE = 64 * 1024


def json_body(model: type[M]) -> M:
    """Return the JSON body as ``model``; raise UnsupportedMediaType, BadRequest or InvalidData saying why.

    Nesting past the recursion limit gets a 400, and so does a number a float cannot hold as written.
    """
    if not request.is_json:
        raise UnsupportedMediaType("The request body must be JSON (Content-Type: application/json).")
    raw = whole_body()
    try:
        value = exact_json.parse(raw)
    except ValueError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}.") from None
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise InvalidData("The request body is not valid.", problems_of(exc)) from None


def whole_body() -> bytes:
    """Return the request body; raise RequestEntityTooLarge (413) past ``request.max_content_length``.

    Also for a streamed (chunked) body, whose length no header gives: werkzeug's ``get_data()`` would
    return its first max_content_length bytes as if they were all of it. Reading on past that limit
    raises instead, so a chunked body that reaches the limit is refused whole, never read in part.
    """
    chunks = []
    while chunk := request.stream.read(_READ_SIZE):
        chunks.append(chunk)
    return b"".join(chunks)


def query(model: type[M]) -> M:
    """Return the query parameters as ``model``; raise InvalidData naming each bad parameter."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise InvalidData("The query parameters are not valid.", problems_of(exc)) from None


def uploaded_file(what: str, body_types: tuple[str, ...]) -> tuple[IO[bytes], str]:
    """Return (stream, file name) of an upload: the multipart field 'file', or a whole body of one of ``body_types``.

    Raises BadRequest for a multipart upload without 'file', UnsupportedMediaType for another body
    type; a body over MAX_UPLOAD_LENGTH gets 413.
    """
    request.max_content_length = services().settings.MAX_UPLOAD_LENGTH
    if request.mimetype == "multipart/form-data":
        if request.content_length is None:
            # A streamed body is read whole first (a 413 past the limit), and the form parsed from it as from
            # get_data(cache=True): werkzeug's parser, stopped at the limit, would leave a part's file open.
            request._cached_data = whole_body()
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest(f"The upload has no field 'file': send the {what} in it.")
        return upload.stream, upload.filename or ""
    if request.mimetype in body_types:
        return BytesIO(whole_body()), ""
    raise UnsupportedMediaType(
        f"Send the {what} as a multipart upload in the field 'file', or as a body of type {' or '.join(body_types)}."
    )

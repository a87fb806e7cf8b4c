"""Reading what a request sends: its JSON body and its query parameters, as models."""

from __future__ import annotations

from io import BytesIO
from typing import IO, TypeVar

import pydantic_core
from flask import request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ..errors import InvalidData
from ..problems import problems_of
from .services import services

M = TypeVar("M", bound=BaseModel)


def json_body(model: type[M]) -> M:
    """Return the JSON body as ``model``; raise UnsupportedMediaType, BadRequest or InvalidData saying why.

    The body is parsed by pydantic-core, which bounds nesting depth, so hostile JSON gets a 400.
    """
    if not request.is_json:
        raise UnsupportedMediaType("The request body must be JSON (Content-Type: application/json).")
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        value = pydantic_core.from_json(raw, allow_inf_nan=False)
    except ValueError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}.") from None
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise InvalidData("The request body is not valid.", problems_of(exc)) from None


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
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest(f"The upload has no field 'file': send the {what} in it.")
        return upload.stream, upload.filename or ""
    if request.mimetype in body_types:
        return BytesIO(request.get_data(cache=False)), ""
    raise UnsupportedMediaType(
        f"Send the {what} as a multipart upload in the field 'file', or as a body of type {' or '.join(body_types)}."
    )

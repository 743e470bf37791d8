"""Turning a recorded HTTP response body into a JSON value, the same way for every format.

Recorders differ in what they store: vcrpy keeps the bytes as sent (possibly gzipped),
Schemathesis and HAR keep the decoded text but still list ``Content-Encoding``. So a body is
decompressed only when its bytes actually look compressed, and always within the record size
limit (a small gzip body can expand to gigabytes).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import unquote, urlsplit

from conformance.words import plural

from ._common import Refused, problem
from ._jsontext import decode
from .model import HttpExchange, Limits, Locator, ReadProblem, Record

#: Statuses and methods whose responses have no body by definition.
_BODILESS_STATUSES = frozenset({204, 205, 304})
_JSON_START = tuple('{["-0123456789tfn')
_JSON_START_BYTES = frozenset(char.encode() for char in _JSON_START)
_LEADING_WS = re.compile(rb"[ \t\r\n]*")


class NoBody:
    """Marker for a response that has no body to validate (204, 304, HEAD ...)."""


NO_BODY = NoBody()


def split_content_type(value: str | None) -> tuple[str | None, str | None]:
    """(media type in lower case without parameters, charset) of a Content-Type value."""
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset":
            charset = raw.strip().strip("\"'") or None
    return media.strip().lower() or None, charset


def is_json_type(media: str) -> bool:
    subtype = media.partition("/")[2]
    return subtype in ("json", "x-json") or subtype.endswith("+json")


def exchange(method: str, url: str, status: int | None, media: str | None) -> HttpExchange:
    """An ``HttpExchange`` with the URL's path percent-decoded."""
    try:
        path = urlsplit(url).path
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        path = url.partition("?")[0]
    return HttpExchange(method.upper(), url, unquote(path) or "/", status, media)


def base64_body(text: str, what: str) -> bytes:
    """A base64 body as recorders write it (line breaks allowed); else a `binary-body` refusal."""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise Refused("binary-body", f"{what} is not valid base64") from None


def exchange_records(
    file: str,
    items: Iterable[tuple[tuple[int, int], object]],
    convert: Callable[[object, Limits], tuple[object, HttpExchange]],
    limits: Limits,
    label: str,
) -> Iterator[Record | ReadProblem]:
    """The records of a recording of HTTP exchanges (cassette, HAR): each (start, item) of
    `items` (start: its line and column) converted to a response body and its request,
    or the problem that stops it.

    An item may itself be a `Refused`; `items` raising `Refused` ends the file, as one
    problem for the whole file when the file is no such recording at all.
    """
    index = 0
    try:
        for start, item in items:
            line = start[0]
            where = f"{label}[{index}]"
            if isinstance(item, Refused):
                yield problem(file, index, where, item, line)
            else:
                try:
                    payload, http = convert(item, limits)
                except Refused as refusal:
                    yield problem(file, index, where, refusal, line)
                else:
                    if payload is not NO_BODY:
                        yield Record(Locator(file, index, line, where, start), payload, http)
            index += 1
    except Refused as refusal:
        whole = refusal.kind == "not-a-cassette"
        yield problem(file, None if whole else index, "" if whole else f"{label}[{index}]", refusal)


def recorded_response(
    body: bytes | str | None,
    headers: dict[str, str],
    media: str | None,
    charset: str | None,
    status: int | None,
    method: str,
    url: str,
    limits: Limits,
) -> tuple[object, HttpExchange]:
    """A recorded response's JSON value, decoded as its headers say, and its exchange."""
    payload = body_value(
        body,
        media=media,
        charset=charset,
        status=status,
        method=method,
        limits=limits,
        content_encoding=headers.get("content-encoding"),
    )
    return payload, exchange(method, url, status, media)


def body_value(
    body: bytes | str | None,
    *,
    media: str | None,
    charset: str | None,
    status: int | None,
    method: str,
    limits: Limits,
    content_encoding: str | None = None,
) -> object:
    """The JSON value of a body, ``NO_BODY`` when none is expected, or raise ``Refused``."""
    if not body:
        if status in _BODILESS_STATUSES or method.upper() == "HEAD" or (status or 200) < 200:
            return NO_BODY
        response = "response" if status is None else f"response {status}"
        raise _refuse("empty-body", f"{response} has an empty body", media)
    if len(body) > limits.max_record_bytes:
        raise Refused(
            "too-large-record",
            f"response body of {plural(len(body), 'byte')} is larger than the"
            f" {limits.max_record_bytes:,} byte limit",
        )
    if isinstance(body, str):
        text = body
    else:
        text = _text(_decompress(body, (content_encoding or "").lower(), limits), media, charset)
    text = text.removeprefix("\ufeff")
    if media is None:
        if not text.lstrip().startswith(_JSON_START):
            raise Refused("not-json-body", "response has no Content-Type and its body is not JSON")
    elif not is_json_type(media):
        raise Refused("not-json-body", f"response body is {media}, not JSON")
    try:
        return decode(text, limits.max_depth)
    except Refused as refusal:
        where = "" if refusal.line is None else f" at body line {refusal.line}"
        if refusal.column is not None:
            where += f", column {refusal.column}"
        raise Refused(refusal.kind, f"{refusal.message} in the response body{where}") from None


def _refuse(kind: str, message: str, media: str | None) -> Refused:
    return Refused(kind, message if media is None else f"{message} ({media})")


def _decompress(body: bytes, coding: str, limits: Limits) -> bytes:
    """Undo gzip/deflate when the bytes are compressed, never beyond the record size limit."""
    # union-attr: the pattern matches the empty string, so `match` never returns None
    start = _LEADING_WS.match(body).end()  # type: ignore[union-attr]
    first = body[start : start + 1]
    if first in _JSON_START_BYTES:
        return body  # already text, whatever the headers say
    if body[:2] == b"\x1f\x8b":
        wbits = 31
    elif len(body) > 1 and body[0] & 0x0F == 8 and (body[0] << 8 | body[1]) % 31 == 0:
        wbits = 15  # a zlib header: "deflate" as servers usually send it
    elif coding == "deflate":
        wbits = -15  # raw deflate, as some servers send it
    elif coding in ("br", "zstd", "compress"):
        raise Refused(
            "unsupported-content-encoding",
            f"response body is {coding}-compressed; only gzip and deflate are decoded",
        )
    else:
        return body
    inflater = zlib.decompressobj(wbits)
    try:
        data = inflater.decompress(body, limits.max_record_bytes + 1)
    except zlib.error as error:
        message = f"response body is corrupt compressed data ({error})"
        raise Refused("binary-body", message) from None
    if len(data) > limits.max_record_bytes:
        raise Refused(
            "too-large-record",
            f"response body decompresses to more than {limits.max_record_bytes:,} bytes",
        )
    return data


def _text(body: bytes, media: str | None, charset: str | None) -> str:
    encoding = "utf-8"
    if charset:
        with contextlib.suppress(LookupError):
            encoding = codecs.lookup(charset).name
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as error:
        shown = media or "no Content-Type"
        if media is not None and not is_json_type(media) and not media.startswith("text/"):
            message = f"binary response body ({shown}, {plural(len(body), 'byte')})"
        else:
            message = (
                f"response body is not {encoding} text: byte 0x{body[error.start]:02x}"
                f" at offset {error.start:,} ({shown})"
            )
        raise Refused("binary-body", message) from None

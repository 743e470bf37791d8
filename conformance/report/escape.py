"""The escaping every report uses: XML (validate, check and contract JUnit) and text.

XML 1.0 cannot carry C0 controls other than tab, LF and CR, U+FFFE, U+FFFF or lone
surrogates, yet a message may quote a server's body and a file name may not be UTF-8.
Such characters are written as visible escapes (`\\x1b`, `\\ufffe`, an undecodable
file-name byte as `\\xff`), so the report parses and a reader still sees what was there.

Text output is read by terminals and CI logs, where a newline in a file name starts a new
line (`::error ...` is then a GitHub workflow command) and ESC starts a terminal sequence:
`visible` writes every C0, DEL and C1 control as an escape (`\\n`, `\\x1b`).
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte `surrogateescape` kept from an undecodable name
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character (C0, DEL, C1) written as a visible escape, for
    text output that prints a file name, URL or message: one line stays one line."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group()) or _visible(m), text)


def xml_safe(text: str) -> str:
    """`text` with every character XML 1.0 cannot carry written as a visible escape."""
    return _NOT_XML.sub(_visible, text)


def xml_attr(text: str) -> str:
    """A quoted attribute value, e.g. `message="a &lt; b"`."""
    return quoteattr(xml_safe(text))


def xml_text(text: str) -> str:
    """Element content."""
    return escape(xml_safe(text))

"""SSML text -> a tree of elements and text runs that remember where they are in the input.

Parsing uses defusedxml's SAX driver with DTDs, entity declarations and external references
refused, so "billion laughs" and external-entity documents are errors, not expansions. The
tree keeps the 0-based character offset of every element's ``<``, of every attribute value and
of every text character (an entity such as ``&amp;`` maps to its ``&``), so errors and word
timings point into the text the user wrote.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces, property_lexical_handler

from defusedxml.common import DefusedXmlException
from defusedxml.expatreader import create_parser

from emotts.errors import SsmlError

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TAG_NAME = re.compile(r"<([^\s/>]+)")
_ATTRIBUTE = re.compile(r"\s*([^\s=/>]+)\s*=\s*(['\"])")
_CDATA_OPEN = "<![CDATA["
_ENTITIES_HELP = (
    "Accepted: &lt; &gt; &amp; &quot; &apos; and numeric references such as &#233;; "
    "DOCTYPE and entity declarations are refused"
)


@dataclass(frozen=True)
class Attribute:
    """An attribute as written: ``qname`` (with prefix), its value and the value's offset."""

    namespace: str | None
    name: str
    qname: str
    value: str
    position: int


@dataclass
class TextRun:
    """Character data; ``offsets`` has one original offset per character plus the end."""

    text: str
    offsets: list[int]


@dataclass
class Element:
    """An element: namespace URI, local name, the name as written, the offset of its ``<`` and
    the offset just past its start tag's ``>``."""

    namespace: str | None
    name: str
    qname: str
    position: int
    tag_end: int
    attributes: dict[str, Attribute] = field(default_factory=dict)
    children: list[Element | TextRun] = field(default_factory=list)

    def text_runs(self) -> list[TextRun]:
        """The text directly inside, in order (child elements are not descended into)."""
        return [child for child in self.children if isinstance(child, TextRun)]

    def child_elements(self) -> list[Element]:
        return [child for child in self.children if isinstance(child, Element)]


class _Positions:
    """Converts expat's (line, column) into offsets; columns count characters."""

    def __init__(self, text: str) -> None:
        self.line_starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]

    def offset(self, line: int, column: int) -> int:
        return self.line_starts[min(line, len(self.line_starts)) - 1] + column


def _scan_start_tag(text: str, tag_start: int) -> tuple[dict[str, int], int]:
    """Offset of each attribute value's first character (by qname), and the tag's end."""
    name = _TAG_NAME.match(text, tag_start)
    cursor = name.end() if name else tag_start + 1
    positions = {}
    while (match := _ATTRIBUTE.match(text, cursor)) is not None:
        value_start = match.end()
        closing = text.find(match.group(2), value_start)
        if closing < 0:
            break
        positions[match.group(1)] = value_start
        cursor = closing + 1
    end = text.find(">", cursor)
    return positions, len(text) if end < 0 else end + 1


class _TreeBuilder(ContentHandler):
    """Builds the tree; ``shift`` is subtracted from every offset (a prefix the user did not
    write, such as an implicit ``<speak>``)."""

    def __init__(self, text: str, shift: int) -> None:
        super().__init__()
        self.text = text
        self.shift = shift
        self.positions = _Positions(text)
        self.stack: list[Element] = []
        self.root: Element | None = None
        self.in_cdata = False
        self.locator = None

    # LexicalHandler methods used by the expat reader (CDATA sections keep '&' literal).
    def startCDATA(self) -> None:
        self.in_cdata = True

    def endCDATA(self) -> None:
        self.in_cdata = False

    def comment(self, content: str) -> None:
        pass

    def startDTD(self, name, public_id, system_id) -> None:  # refused earlier by defusedxml
        pass

    def endDTD(self) -> None:
        pass

    def setDocumentLocator(self, locator) -> None:
        self.locator = locator

    def _here(self) -> int:
        return self.positions.offset(self.locator.getLineNumber(), self.locator.getColumnNumber())

    def startElementNS(self, name, qname, attrs) -> None:
        position = self._here()
        written = _TAG_NAME.match(self.text, position)
        value_positions, tag_end = _scan_start_tag(self.text, position)
        attributes = {}
        for (namespace, local), value in attrs.items():
            attribute_qname = attrs.getQNameByName((namespace, local))
            attributes[attribute_qname] = Attribute(
                namespace,
                local,
                attribute_qname,
                value,
                value_positions.get(attribute_qname, position) - self.shift,
            )
        written_name = written.group(1) if written else name[1]
        element = Element(
            name[0],
            name[1],
            written_name,
            max(position - self.shift, 0),
            max(tag_end - self.shift, 0),
            attributes,
        )
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def endElementNS(self, name, qname) -> None:
        self.stack.pop()

    def characters(self, content: str) -> None:
        if not self.stack:
            return
        offsets = [offset - self.shift for offset in self._offsets(content, self._here())]
        children = self.stack[-1].children
        if (
            children
            and isinstance(children[-1], TextRun)
            and children[-1].offsets[-1] == offsets[0]
        ):
            children[-1].text += content
            children[-1].offsets[-1:] = offsets
        else:
            children.append(TextRun(content, offsets))

    def _offsets(self, content: str, start: int) -> list[int]:
        """Where each decoded character came from, walking the raw text from ``start``."""
        text, cursor, offsets = self.text, start, []
        for _ in content:
            offsets.append(cursor)
            if not self.in_cdata and text.startswith("&", cursor):
                cursor = text.index(";", cursor) + 1
            elif text.startswith("\r\n", cursor):
                cursor += 2
            else:
                cursor += 1
        offsets.append(cursor)
        return offsets


def _expat_problem(message: str) -> str:
    if "undefined entity" in message:
        return f"undefined entity. {_ENTITIES_HELP}"
    return message


def parse_tree(text: str, shift: int = 0) -> Element:
    """The document's root element; raises :class:`SsmlError` for anything not well-formed.

    ``shift``: length of a prefix of ``text`` that the user did not write; offsets count from
    after it.
    """
    builder = _TreeBuilder(text, shift)
    parser = create_parser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(feature_namespaces, True)
    parser.setProperty(property_lexical_handler, builder)
    parser.setContentHandler(builder)
    try:
        parser.parse(io.StringIO(text))
    except SAXParseException as error:
        raw = builder.positions.offset(error.getLineNumber(), error.getColumnNumber())
        position = max(raw - shift, 0)
        raise SsmlError(
            f"SSML is not well-formed XML: {_expat_problem(error.getMessage())} at position "
            f"{position}"
        ) from None
    except DefusedXmlException as error:
        raise SsmlError(
            f"SSML with a DOCTYPE, entity declaration or external reference is refused "
            f"({type(error).__name__}). {_ENTITIES_HELP}"
        ) from None
    if builder.root is None:  # pragma: no cover - expat reports "no element found" first
        raise SsmlError("SSML has no root element; wrap the text in <speak>...</speak>")
    return builder.root

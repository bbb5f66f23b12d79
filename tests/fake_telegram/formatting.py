"""Telegram's server-side text formatting (parse_mode) for the fake Bot API.

Telegram parses HTML / MarkdownV2 / Markdown on the server, returns the *plain* text plus
entities, and rejects malformed markup with ``can't parse entities: ...``. Mimicking that (the
parsers follow tdlib's ``MessageEntity.cpp``) lets end-to-end tests catch unescaped user input
and assert on the text a user actually sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ParseError", "checked_link", "format_text", "utf16_len"]

Entity = dict[str, Any]

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_HTML_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!\n"
# tdlib's names, used verbatim in its error messages.
_TDLIB_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
    "blockquote": "BlockQuote",
}
_TRIM = " \t\r\n\v\f"


class ParseError(Exception):
    """Malformed markup; the message is what Telegram puts after ``can't parse entities: ``."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def format_text(
    text: str, parse_mode: str | None, entities: list[Entity] | None = None
) -> tuple[str, list[Entity]]:
    """Return (plain text, entities) as Telegram stores a message; raise ParseError/ValueError.

    ValueError means an unsupported parse_mode. Explicit ``entities`` win over parse_mode.
    """
    if entities:
        plain, found = text, [dict(e) for e in entities]
    elif not parse_mode:
        plain, found = text, []
    else:
        mode = parse_mode.lower()
        if mode == "html":
            plain, found = _parse_html(text)
        elif mode == "markdownv2":
            plain, found = _parse_markdown_v2(text)
        elif mode == "markdown":
            plain, found = _parse_markdown(text)
        else:
            raise ValueError(parse_mode)
    return _trim(plain, found)


def _trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace like Telegram does, keeping entity offsets valid."""
    stripped = text.lstrip(_TRIM)
    shift = utf16_len(text) - utf16_len(stripped)
    stripped = stripped.rstrip(_TRIM)
    total = utf16_len(stripped)
    result: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    result.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, result


def _char_len(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def checked_link(url: str) -> str:
    """Roughly tdlib's LinkManager::get_checked_link: '' if Telegram would drop the link."""
    url = url.strip()
    if not url or any(c.isspace() for c in url):
        return ""
    scheme, sep, rest = url.partition("://")
    if sep:
        return url if scheme.lower() in {"http", "https", "tg", "ton"} and rest else ""
    if url.lower().startswith("tg:"):
        return url
    return "http://" + url if "." in url.split("/", 1)[0] else ""


def _link_entity(offset: int, length: int, url: str) -> Entity | None:
    checked = checked_link(url)
    if not checked:
        return None
    return {"type": "text_link", "offset": offset, "length": length, "url": checked}


def _decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode ``&lt;`` / ``&#60;`` / ``&#x3c;`` at pos; None if Telegram keeps the '&' as-is."""

    def at(i: int) -> str:
        return text[i] if i < len(text) else ""

    end = pos + 1
    if at(end) == "#":
        end += 1
        digits = "0123456789abcdefABCDEF" if at(end) == "x" else "0123456789"
        base = 16 if at(end) == "x" else 10
        if base == 16:
            end += 1
        start = end
        while at(end) and at(end) in digits:
            end += 1
        value = int(text[start:end], base) if end > start else 0
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(value)
    else:
        while at(end).isascii() and at(end).isalpha():
            end += 1
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if at(end) == ";":
        end += 1
    return char, end


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int
    out_pos: int
    byte_offset: int = 0


def _parse_html(text: str) -> tuple[str, list[Entity]]:
    n = len(text)

    def at(i: int) -> str:
        return text[i] if i < n else ""

    def space(i: int) -> bool:
        return at(i) != "" and at(i).isspace()

    out: list[str] = []
    entities: list[Entity] = []
    stack: list[_Open] = []
    u16 = 0
    i = 0
    while i < n:
        char = text[i]
        if char == "&" and (decoded := _decode_html_entity(text, i)) is not None:
            out.append(decoded[0])
            u16 += _char_len(decoded[0])
            i = decoded[1]
            continue
        if char != "<":
            out.append(char)
            u16 += _char_len(char)
            i += 1
            continue
        begin = i
        where = f"at byte offset {_byte_offset(text, begin)}"
        i += 1
        if at(i) != "/":
            while at(i) and not space(i) and at(i) != ">":
                i += 1
            if not at(i):
                raise ParseError(f"Unclosed start tag {where}")
            tag = text[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise ParseError(f'Unsupported start tag "{tag}" {where}')
            argument = ""
            while at(i) != ">":
                while space(i):
                    i += 1
                if at(i) == ">":
                    break
                attr_begin = i
                while at(i) and not space(i) and at(i) != "=":
                    i += 1
                attr = text[attr_begin:i]
                if not attr:
                    raise ParseError(f'Empty attribute name in the tag "{tag}" {where}')
                while space(i):
                    i += 1
                if at(i) != "=":
                    raise ParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"{where}"
                    )
                i += 1
                while space(i):
                    i += 1
                if not at(i):
                    raise ParseError(f'Unclosed start tag "{tag}" {where}')
                if at(i) not in "'\"":
                    token_begin = i
                    while at(i) and ((at(i).isascii() and at(i).isalnum()) or at(i) in ".-"):
                        i += 1
                    value = text[token_begin:i].lower()
                    if not space(i) and at(i) != ">":
                        raise ParseError(
                            "Unexpected end of name token at byte offset "
                            f"{_byte_offset(text, token_begin)}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    chars: list[str] = []
                    while at(i) and at(i) != quote:
                        if at(i) == "&" and (decoded := _decode_html_entity(text, i)) is not None:
                            chars.append(decoded[0])
                            i = decoded[1]
                            continue
                        chars.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if not at(i):
                    raise ParseError(f"Unclosed start tag {where}")
                if (tag, attr) in {("a", "href"), ("tg-emoji", "emoji-id")}:
                    argument = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
            if tag == "span" and argument != "spoiler":
                raise ParseError(f'Tag "span" must have class "tg-spoiler" {where}')
            stack.append(_Open(tag, argument, u16, len(out)))
        else:
            if not stack:
                raise ParseError(f"Unexpected end tag {where}")
            while at(i) and not space(i) and at(i) != ">":
                i += 1
            end_tag = text[begin + 2 : i].lower()
            while space(i):
                i += 1
            if at(i) != ">":
                raise ParseError(f"Unclosed end tag {where}")
            top = stack.pop()
            if end_tag and end_tag != top.tag:
                raise ParseError(
                    f'Unmatched end tag {where}, expected "</{top.tag}>", found "</{end_tag}>"'
                )
            if u16 > top.offset:
                _add_html_entity(entities, top, u16 - top.offset, "".join(out[top.out_pos :]))
        i += 1
    if stack:
        raise ParseError(f"Can't find end tag corresponding to start tag {stack[-1].tag}")
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # a language only survives inside <pre>
    return "".join(out), entities


def _add_html_entity(entities: list[Entity], top: _Open, length: int, inner: str) -> None:
    offset = top.offset
    last = entities[-1] if entities else None
    same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
    if top.tag in _HTML_TYPES:
        entities.append({"type": _HTML_TYPES[top.tag], "offset": offset, "length": length})
    elif top.tag == "tg-emoji":
        if not top.argument.isdigit() or int(top.argument) == 0:
            raise ParseError("Invalid custom emoji identifier specified")
        entities.append(
            {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": top.argument,
            }
        )
    elif top.tag == "a":
        link = _link_entity(offset, length, top.argument or inner)
        if link is not None:
            entities.append(link)
    elif top.tag == "pre":
        if same_span and last is not None and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif top.tag == "code":
        if same_span and last is not None and last["type"] == "pre" and top.argument:
            last["language"] = top.argument
        else:
            code: Entity = {"type": "code", "offset": offset, "length": length}
            if top.argument:
                code["language"] = top.argument  # dropped below unless a <pre> wraps it
            entities.append(code)


def _parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    n = len(text)

    def at(i: int) -> str:
        return text[i] if i < n else ""

    def reserved(char: str) -> ParseError:
        return ParseError(
            f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        )

    out: list[str] = []
    entities: list[Entity] = []
    stack: list[_Open] = []
    u16 = 0
    in_quote = False
    i = 0
    while i < n:
        char = text[i]
        if char == "\\" and at(i + 1) and ord(at(i + 1)) <= 126:
            out.append(text[i + 1])
            u16 += 1
            i += 2
            continue
        top_type = stack[-1].tag if stack else ""
        specials = "`" if top_type in {"code", "pre"} else _MDV2_RESERVED
        if char not in specials:
            out.append(char)
            u16 += _char_len(char)
            i += 1
            continue
        is_end = False
        if stack:
            if in_quote and char == "\n" and at(i + 1) != ">":
                is_end = True
            else:
                is_end = {
                    "bold": char == "*",
                    "italic": char == "_" and at(i + 1) != "_",
                    "code": char == "`",
                    "pre": char == "`" and at(i + 1) == "`" and at(i + 2) == "`",
                    "text_link": char == "]",
                    "underline": char == "_" and at(i + 1) == "_",
                    "strikethrough": char == "~",
                    "spoiler": char == "|" and at(i + 1) == "|",
                    "custom_emoji": char == "]",
                }.get(top_type, False)
        if not is_end:
            byte_offset = _byte_offset(text, i)
            kind: str | None
            argument = ""
            if char == "_":
                kind = "underline" if at(i + 1) == "_" else "italic"
                i += kind == "underline"
            elif char in "*~[":
                kind = {"*": "bold", "~": "strikethrough", "[": "text_link"}[char]
            elif char == "|" and at(i + 1) == "|":
                kind, i = "spoiler", i + 1
            elif char == "!" and at(i + 1) == "[":
                kind, i = "custom_emoji", i + 1
            elif char == "`" and at(i + 1) == "`" and at(i + 2) == "`":
                i += 3
                kind = "pre"
                lang_end = i
                while at(lang_end) and not at(lang_end).isspace() and at(lang_end) != "`":
                    lang_end += 1
                if i != lang_end and lang_end < n and text[lang_end] != "`":
                    argument, i = text[i:lang_end], lang_end
                if at(i) in ("\n", "\r") and at(i):
                    i += 2 if at(i + 1) in ("\n", "\r") and at(i + 1) and at(i + 1) != at(i) else 1
                i -= 1
            elif char == "`":
                kind = "code"
            elif char == "\n":
                out.append("\n")
                u16 += 1
                kind = None
                if at(i + 1) == ">":
                    i += 1
                    if not in_quote:
                        kind, in_quote = "blockquote", True
            elif char == ">" and i == 0:
                kind, in_quote = "blockquote", True
            else:
                raise reserved(char)
            if kind is not None:
                stack.append(_Open(kind, argument, u16, len(out), byte_offset))
            i += 1
            continue
        top = stack[-1]
        if char == "\n" and top.tag != "blockquote":
            raise ParseError(
                f"Can't find end of {_TDLIB_NAMES[top.tag]} entity at byte offset {top.byte_offset}"
            )
        entity: Entity | None = {"type": top.tag, "offset": top.offset, "length": u16 - top.offset}
        if top.tag in {"underline", "spoiler"}:
            i += 1
        elif top.tag == "pre":
            i += 2
            if top.argument and entity is not None:
                entity["language"] = top.argument
        elif top.tag in {"text_link", "custom_emoji"}:
            if at(i + 1) != "(":
                if top.tag == "custom_emoji":
                    raise ParseError("Custom emoji entity must contain a tg://emoji URL")
                url = "".join(out[top.out_pos :])
            else:
                i += 2
                url_begin = i
                url_chars: list[str] = []
                while i < n and text[i] != ")":
                    if text[i] == "\\" and at(i + 1) and ord(at(i + 1)) <= 126:
                        url_chars.append(text[i + 1])
                        i += 2
                        continue
                    url_chars.append(text[i])
                    i += 1
                if at(i) != ")":
                    what = "a URL" if top.tag == "text_link" else "a custom emoji URL"
                    raise ParseError(
                        f"Can't find end of {what} at byte offset {_byte_offset(text, url_begin)}"
                    )
                url = "".join(url_chars)
            if top.tag == "text_link":
                entity = _link_entity(top.offset, u16 - top.offset, url)
            else:
                emoji_id = url.partition("tg://emoji?id=")[2]
                if not emoji_id.isdigit():
                    raise ParseError("Custom emoji URL must have an emoji identifier")
                entity = {**(entity or {}), "custom_emoji_id": emoji_id}
        elif top.tag == "blockquote":
            in_quote = False
            out.append(char)
            u16 += 1
            if entity is not None:
                entity["length"] = u16 - top.offset
        if entity is not None and u16 > top.offset:
            entities.append(entity)
        stack.pop()
        i += 1
    if in_quote and stack and stack[-1].tag == "blockquote":
        top = stack.pop()
        if u16 > top.offset:
            length = u16 - top.offset
            entities.append({"type": "blockquote", "offset": top.offset, "length": length})
    if stack:
        top = stack[-1]
        raise ParseError(
            f"Can't find end of {_TDLIB_NAMES[top.tag]} entity at byte offset {top.byte_offset}"
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """Legacy ``Markdown``: *bold* _italic_ `code` ```pre``` [text](url), no nesting."""
    n = len(text)

    def at(i: int) -> str:
        return text[i] if i < n else ""

    out: list[str] = []
    entities: list[Entity] = []
    u16 = 0
    i = 0
    while i < n:
        char = text[i]
        if char == "\\" and at(i + 1) in ("_", "*", "`", "[") and at(i + 1):
            out.append(text[i + 1])
            u16 += 1
            i += 2
            continue
        if char not in "_*`[":
            out.append(char)
            u16 += _char_len(char)
            i += 1
            continue
        begin = i
        end_char = "]" if char == "[" else char
        is_pre = False
        language = ""
        i += 1
        if char == "`" and at(i) == "`" and at(i + 1) == "`":
            i += 2
            is_pre = True
            lang_end = i
            while at(lang_end) and not at(lang_end).isspace() and at(lang_end) != "`":
                lang_end += 1
            if i != lang_end and lang_end < n and text[lang_end] != "`":
                language, i = text[i:lang_end], lang_end
            if at(i) in ("\n", "\r") and at(i):
                i += 2 if at(i + 1) in ("\n", "\r") and at(i + 1) and at(i + 1) != at(i) else 1
        start = u16
        while i < n and (
            text[i] != end_char or (is_pre and not (at(i + 1) == "`" and at(i + 2) == "`"))
        ):
            out.append(text[i])
            u16 += _char_len(text[i])
            i += 1
        if i == n:
            raise ParseError(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        if u16 > start:
            length = u16 - start
            if char == "[":
                url = text[begin + 1 : i]
                if at(i + 1) == "(":
                    close = text.find(")", i + 2)
                    close = n if close < 0 else close
                    url, i = text[i + 2 : close], close
                link = _link_entity(start, length, url)
                if link is not None:
                    entities.append(link)
            else:
                kind = {"_": "italic", "*": "bold", "`": "pre" if is_pre else "code"}[char]
                entity: Entity = {"type": kind, "offset": start, "length": length}
                if language:
                    entity["language"] = language
                entities.append(entity)
        if is_pre:
            i += 2
        i += 1
    return "".join(out), entities

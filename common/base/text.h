// Small text checks shared by everything that accepts text from outside.
#pragma once

#include <string>
#include <string_view>

namespace tocsin {

// Decodes the code point starting at byte `i` and advances `i` past it. Returns false (leaving
// `i` unchanged) on a malformed, overlong, surrogate or out-of-range sequence.
bool nextUtf8(std::string_view s, size_t& i, char32_t& cp);
// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool isValidUtf8(std::string_view s);
// Number of Unicode code points in well-formed UTF-8.
size_t utf8Length(std::string_view s);
// True when `s` holds a C0/C1 control character other than those allowed.
bool hasControlCharacters(std::string_view s, bool allowNewlines = false);
// `s` for a terminal or a log line: control characters (C0, DEL, C1) and invalid UTF-8 bytes
// written as \xNN, and backslashes doubled, so nothing printed can forge a line or move a cursor.
std::string printable(std::string_view s);
// A one-line text from outside (a title, a reason): valid UTF-8, no control characters at all,
// at most `maxChars` characters; the refusal names `what`.
bool isCleanLine(std::string_view s, size_t maxChars);
std::string trim(std::string_view s);
// `s` as the text of an HTML or XML element or attribute value: & < > " ' as references, and a
// carriage return as &#13; (which XML keeps; a raw one is read back as a line feed).
std::string escapeMarkup(std::string_view s);
std::string toLower(std::string_view s);

}  // namespace tocsin

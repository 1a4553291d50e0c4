#include "common/base/text.h"

#include <cstdint>

namespace tocsin {

bool nextUtf8(std::string_view s, size_t& i, char32_t& cp) {
  const auto c = static_cast<uint8_t>(s[i]);
  if (c < 0x80) {
    cp = c;
    ++i;
    return true;
  }
  size_t extra;
  char32_t v;
  if ((c & 0xE0) == 0xC0) {
    extra = 1;
    v = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2;
    v = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3;
    v = c & 0x07;
  } else {
    return false;
  }
  if (i + extra >= s.size()) return false;
  for (size_t k = 1; k <= extra; ++k) {
    const auto cc = static_cast<uint8_t>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return false;
    v = (v << 6) | (cc & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (v < kMin[extra] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
  cp = v;
  i += extra + 1;
  return true;
}

bool isValidUtf8(std::string_view s) {
  size_t i = 0;
  char32_t cp;
  while (i < s.size())
    if (!nextUtf8(s, i, cp)) return false;
  return true;
}

size_t utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s)
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++n;
  return n;
}

bool hasControlCharacters(std::string_view s, bool allowNewlines) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      if (allowNewlines && (c == '\n' || c == '\r' || c == '\t')) continue;
      return true;
    }
    // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < s.size() && static_cast<uint8_t>(s[i + 1]) >= 0x80 &&
        static_cast<uint8_t>(s[i + 1]) <= 0x9F)
      return true;
  }
  return false;
}

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto escape = [&](uint8_t b) {
    static const char* kHex = "0123456789abcdef";
    out += "\\x";
    out += kHex[b >> 4];
    out += kHex[b & 15];
  };
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c == '\\') {
      out += "\\\\";
      ++i;
      continue;
    }
    if (c < 0x20 || c == 0x7F) {
      escape(c);
      ++i;
      continue;
    }
    size_t next = i;
    char32_t cp = 0;
    if (!nextUtf8(s, next, cp)) {
      escape(c);
      ++i;
      continue;
    }
    if (cp >= 0x80 && cp <= 0x9F) {
      for (size_t k = i; k < next; ++k) escape(static_cast<uint8_t>(s[k]));
    } else {
      out.append(s, i, next - i);
    }
    i = next;
  }
  return out;
}

bool isCleanLine(std::string_view s, size_t maxChars) {
  return isValidUtf8(s) && !hasControlCharacters(s) && utf8Length(s) <= maxChars;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
  return std::string(s.substr(b, e - b));
}

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string escapeMarkup(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\r': out += "&#13;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace tocsin

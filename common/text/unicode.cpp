#include "common/text/unicode.h"

#include "common/base/text.h"

namespace tocsin::text {

Result<std::u32string> decodeUtf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  char32_t cp;
  while (i < s.size()) {
    if (!nextUtf8(s, i, cp)) return Status::invalid("text is not valid UTF-8 (byte " + std::to_string(i) + ")");
    out.push_back(cp);
  }
  return out;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string encodeUtf8(std::u32string_view cps) {
  std::string out;
  out.reserve(cps.size());
  for (char32_t cp : cps) appendUtf8(out, cp);
  return out;
}

void appendUtf16Be(std::vector<uint8_t>& out, char32_t cp) {
  auto unit = [&](uint32_t u) {
    out.push_back(static_cast<uint8_t>(u >> 8));
    out.push_back(static_cast<uint8_t>(u & 0xFF));
  };
  if (cp > 0xFFFF) {
    const uint32_t v = cp - 0x10000;
    unit(0xD800 | (v >> 10));
    unit(0xDC00 | (v & 0x3FF));
  } else {
    unit(cp);
  }
}

std::u32string decodeUtf16Be(const uint8_t* data, size_t size) {
  std::u32string out;
  for (size_t i = 0; i + 1 < size; i += 2) {
    const char32_t u = static_cast<char32_t>(data[i] << 8 | data[i + 1]);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < size) {
      const char32_t lo = static_cast<char32_t>(data[i + 2] << 8 | data[i + 3]);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        out.push_back(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        i += 2;
        continue;
      }
    }
    out.push_back(u >= 0xD800 && u <= 0xDFFF ? 0xFFFD : u);
  }
  return out;
}

}  // namespace tocsin::text

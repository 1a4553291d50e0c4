// UTF-8 / UTF-32 / UTF-16 conversions for SMS text. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace tocsin::text {

// Decodes well-formed UTF-8 into code points; names the byte offset of the first bad sequence.
Result<std::u32string> decodeUtf8(std::string_view utf8);
void appendUtf8(std::string& out, char32_t cp);
std::string encodeUtf8(std::u32string_view cps);

// Number of UTF-16 code units `cp` needs (2 outside the Basic Multilingual Plane).
inline size_t utf16Units(char32_t cp) { return cp > 0xFFFF ? 2 : 1; }
// Appends `cp` as big-endian UTF-16 (UCS-2 with surrogate pairs, as SMS carries it).
void appendUtf16Be(std::vector<uint8_t>& out, char32_t cp);
// Decodes big-endian UTF-16; a lone surrogate becomes U+FFFD (what handsets show).
std::u32string decodeUtf16Be(const uint8_t* data, size_t size);

}  // namespace tocsin::text

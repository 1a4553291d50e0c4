// The GSM 03.38 (3GPP TS 23.038) default alphabet, its extension table, and septet packing.
//
// Text is carried as "septet codes": one GSM code per element (0x00-0x7F), with extension
// characters written as the escape 0x1B followed by their code, so each costs two septets.
// Pure functions; the tables are constant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::text {

using Septets = std::vector<uint8_t>;

inline constexpr uint8_t kGsmEscape = 0x1B;

// The septet codes of `cp`: one code for the basic table, two (escape + code) for the extension
// table, nullopt when the character is not in the GSM alphabet. Both Ç and ç map to 0x09.
struct GsmCode {
  uint8_t first;
  uint8_t second;  // meaningful when escaped
  bool escaped;
};
std::optional<GsmCode> gsmCode(char32_t cp);
inline bool isGsmCharacter(char32_t cp) { return gsmCode(cp).has_value(); }

// Decodes septet codes to text. An escape followed by a code without an extension meaning
// shows the basic character (23.038 default), escape-escape shows a space, a trailing lone
// escape is dropped.
std::u32string decodeSeptets(const uint8_t* codes, size_t count);

// Packs septets into octets LSB first, after `fillBits` zero bits (0-6, after a UDH).
std::vector<uint8_t> packSeptets(const uint8_t* septets, size_t count, int fillBits = 0);
// Unpacks `count` septets from `data` after `fillBits` bits. Stops early (returning fewer)
// when `data` is too short; callers check the count.
Septets unpackSeptets(const uint8_t* data, size_t size, size_t count, int fillBits = 0);

}  // namespace tocsin::text

#include "common/text/gsm7.h"

#include <array>

namespace tocsin::text {
namespace {

// Basic table: code -> Unicode (3GPP TS 23.038 section 6.2.1). 0x1B is the escape.
constexpr char32_t kBasic[128] = {
    U'@',    U'\u00A3', U'$',      U'\u00A5', U'\u00E8', U'\u00E9', U'\u00F9', U'\u00EC',  // 0x00
    U'\u00F2', U'\u00C7', U'\n',    U'\u00D8', U'\u00F8', U'\r',     U'\u00C5', U'\u00E5',  // 0x08
    U'\u0394', U'_',     U'\u03A6', U'\u0393', U'\u039B', U'\u03A9', U'\u03A0', U'\u03A8',  // 0x10
    U'\u03A3', U'\u0398', U'\u039E', U'\u00A0', U'\u00C6', U'\u00E6', U'\u00DF', U'\u00C9',  // 0x18
    U' ',    U'!',      U'"',      U'#',      U'\u00A4', U'%',      U'&',      U'\'',       // 0x20
    U'(',    U')',      U'*',      U'+',      U',',      U'-',      U'.',      U'/',        // 0x28
    U'0',    U'1',      U'2',      U'3',      U'4',      U'5',      U'6',      U'7',        // 0x30
    U'8',    U'9',      U':',      U';',      U'<',      U'=',      U'>',      U'?',        // 0x38
    U'\u00A1', U'A',    U'B',      U'C',      U'D',      U'E',      U'F',      U'G',        // 0x40
    U'H',    U'I',      U'J',      U'K',      U'L',      U'M',      U'N',      U'O',        // 0x48
    U'P',    U'Q',      U'R',      U'S',      U'T',      U'U',      U'V',      U'W',        // 0x50
    U'X',    U'Y',      U'Z',      U'\u00C4', U'\u00D6', U'\u00D1', U'\u00DC', U'\u00A7',  // 0x58
    U'\u00BF', U'a',    U'b',      U'c',      U'd',      U'e',      U'f',      U'g',        // 0x60
    U'h',    U'i',      U'j',      U'k',      U'l',      U'm',      U'n',      U'o',        // 0x68
    U'p',    U'q',      U'r',      U's',      U't',      U'u',      U'v',      U'w',        // 0x70
    U'x',    U'y',      U'z',      U'\u00E4', U'\u00F6', U'\u00F1', U'\u00FC', U'\u00E0',  // 0x78
};

// Extension table (after the escape): code -> Unicode.
struct Extension {
  uint8_t code;
  char32_t cp;
};
constexpr Extension kExtension[] = {{0x0A, U'\u000C'}, {0x14, U'^'}, {0x28, U'{'}, {0x29, U'}'}, {0x2F, U'\\'},
                                    {0x3C, U'['},      {0x3D, U'~'}, {0x3E, U']'}, {0x40, U'|'}, {0x65, U'\u20AC'}};

// ASCII fast path: 0xFF = not in the basic table (may still be an extension character).
struct AsciiTable {
  std::array<uint8_t, 128> code{};
  constexpr AsciiTable() {
    for (auto& c : code) c = 0xFF;
    for (uint8_t g = 0; g < 128; ++g)
      if (kBasic[g] < 128 && g != kGsmEscape) code[kBasic[g]] = g;
  }
};
constexpr AsciiTable kAscii;

}  // namespace

std::optional<GsmCode> gsmCode(char32_t cp) {
  if (cp < 128 && kAscii.code[cp] != 0xFF) return GsmCode{kAscii.code[cp], 0, false};
  for (const auto& e : kExtension)
    if (e.cp == cp) return GsmCode{kGsmEscape, e.code, true};
  if (cp == U'\u00E7') return GsmCode{0x09, 0, false};  // older tables map 0x09 to small c-cedilla
  if (cp >= 128) {
    for (uint8_t g = 0; g < 128; ++g)
      if (kBasic[g] == cp && g != kGsmEscape) return GsmCode{g, 0, false};
  }
  return std::nullopt;
}

std::u32string decodeSeptets(const uint8_t* codes, size_t count) {
  std::u32string out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t c = codes[i] & 0x7F;
    if (c != kGsmEscape) {
      out.push_back(kBasic[c]);
      continue;
    }
    if (i + 1 >= count) break;  // a lone trailing escape carries nothing
    const uint8_t next = codes[++i] & 0x7F;
    char32_t cp = next == kGsmEscape ? U' ' : kBasic[next];
    for (const auto& e : kExtension)
      if (e.code == next) cp = e.cp;
    out.push_back(cp);
  }
  return out;
}

std::vector<uint8_t> packSeptets(const uint8_t* septets, size_t count, int fillBits) {
  std::vector<uint8_t> out;
  out.reserve((static_cast<size_t>(fillBits) + 7 * count + 7) / 8);
  uint32_t acc = 0;
  int bits = fillBits;
  for (size_t i = 0; i < count; ++i) {
    acc |= static_cast<uint32_t>(septets[i] & 0x7F) << bits;
    bits += 7;
    while (bits >= 8) {
      out.push_back(static_cast<uint8_t>(acc & 0xFF));
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out.push_back(static_cast<uint8_t>(acc & 0xFF));
  return out;
}

Septets unpackSeptets(const uint8_t* data, size_t size, size_t count, int fillBits) {
  Septets out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t bit = static_cast<size_t>(fillBits) + 7 * i;
    const size_t byte = bit / 8;
    const unsigned shift = bit % 8;
    if (byte >= size) break;
    unsigned v = data[byte] >> shift;
    if (shift > 1) {
      if (byte + 1 >= size) break;
      v |= static_cast<unsigned>(data[byte + 1]) << (8 - shift);
    }
    out.push_back(static_cast<uint8_t>(v & 0x7F));
  }
  return out;
}

}  // namespace tocsin::text

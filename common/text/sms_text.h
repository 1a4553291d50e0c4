// SMS text: choosing GSM-7 or UCS-2, splitting into parts, and the preview operators see.
//
// A text goes out in the GSM 7-bit alphabet when every character is in it (extension
// characters cost two septets), otherwise in UCS-2 (UTF-16, where characters outside the Basic
// Multilingual Plane cost two units). One part holds 160 septets or 70 units; a concatenated
// message's parts hold 153/67 with an 8-bit reference, 152/66 with a 16-bit one. Parts never
// split an escape pair or a surrogate pair. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace tocsin::text {

enum class SmsEncoding { kGsm7, kUcs2 };
const char* encodingName(SmsEncoding e);

// Optional rewriting of characters outside the GSM alphabet so that a text stays in GSM-7.
enum class Normalization {
  kNone,
  kLookalikes,            // curly quotes, dashes, ellipsis, special spaces -> their ASCII look-alikes
  kLookalikesAndAccents,  // also letters with accents not in GSM (ê, ą, ł...) -> base letters
};
Result<Normalization> parseNormalization(std::string_view name);  // "none", "lookalikes", "accents"

struct SegmentOptions {
  Normalization normalization = Normalization::kNone;
  bool reference16 = false;  // 16-bit concatenation references (one unit less per part)
  size_t maxParts = 255;
};

struct SmsPart {
  // GSM-7: septet codes, one per element (unpacked). UCS-2: UTF-16 big-endian bytes.
  std::vector<uint8_t> payload;
  size_t units = 0;  // septets or UTF-16 units
};

struct SmsPlan {
  SmsEncoding encoding = SmsEncoding::kGsm7;
  std::string text;                          // the text that will be sent (after normalisation)
  std::vector<SmsPart> parts;                // at least one
  size_t totalUnits = 0;                     // septets or UTF-16 units in all parts
  size_t partCapacity = 0;                   // 160/153/152 septets or 70/67/66 units
  size_t unitsLeft = 0;                      // free units in the last part
  std::vector<std::string> ucs2Characters;   // distinct characters that forced UCS-2, in order
  size_t replacedCharacters = 0;             // rewritten by normalisation
  bool concatenated() const { return parts.size() > 1; }
};

// Fails on invalid UTF-8, and when the text needs more parts than `options.maxParts`.
Result<SmsPlan> planSms(std::string_view utf8, const SegmentOptions& options = {});

// The concatenation user data header of one part: "05 00 03 ref total seq" (8-bit reference)
// or "06 08 04 refhi reflo total seq" (16-bit).
std::vector<uint8_t> concatenationUdh(uint16_t reference, uint8_t total, uint8_t sequence, bool reference16);

// Text of a received payload (GSM septet codes or UTF-16BE bytes) as UTF-8.
std::string decodePayload(SmsEncoding encoding, const uint8_t* payload, size_t size);

}  // namespace tocsin::text

#include "common/text/sms_text.h"

#include <algorithm>

#include "common/text/gsm7.h"
#include "common/text/unicode.h"

namespace tocsin::text {
namespace {

struct Replacement {
  char32_t from;
  const char* to;
};

// Look-alikes: punctuation and spaces that word processors and phones substitute.
constexpr Replacement kLookalikes[] = {
    {U'\u2018', "'"},  {U'\u2019', "'"},  {U'\u201A', "'"},  {U'\u201B', "'"},  {U'\u2032', "'"},
    {U'\u00B4', "'"},  {U'`', "'"},       {U'\u201C', "\""}, {U'\u201D', "\""}, {U'\u201E', "\""},
    {U'\u201F', "\""}, {U'\u2033', "\""}, {U'\u00AB', "\""}, {U'\u00BB', "\""}, {U'\u2010', "-"},
    {U'\u2011', "-"},  {U'\u2012', "-"},  {U'\u2013', "-"},  {U'\u2014', "-"},  {U'\u2015', "-"},
    {U'\u2212', "-"},  {U'\u2026', "..."}, {U'\u00A0', " "}, {U'\u2002', " "},  {U'\u2003', " "},
    {U'\u2007', " "},  {U'\u2009', " "},  {U'\u200A', " "},  {U'\u202F', " "},  {U'\u2022', "*"},
};

// Letters outside GSM folded to their base letter (French, Portuguese, Polish, Czech, ...).
constexpr Replacement kAccents[] = {
    {U'\u00C0', "A"}, {U'\u00C1', "A"}, {U'\u00C2', "A"}, {U'\u00C3', "A"}, {U'\u00C8', "E"}, {U'\u00CA', "E"},
    {U'\u00CB', "E"}, {U'\u00CC', "I"}, {U'\u00CD', "I"}, {U'\u00CE', "I"}, {U'\u00CF', "I"}, {U'\u00D2', "O"},
    {U'\u00D3', "O"}, {U'\u00D4', "O"}, {U'\u00D5', "O"}, {U'\u00D9', "U"}, {U'\u00DA', "U"}, {U'\u00DB', "U"},
    {U'\u00DD', "Y"}, {U'\u00E1', "a"}, {U'\u00E2', "a"}, {U'\u00E3', "a"}, {U'\u00EA', "e"}, {U'\u00EB', "e"},
    {U'\u00ED', "i"}, {U'\u00EE', "i"}, {U'\u00EF', "i"}, {U'\u00F3', "o"}, {U'\u00F4', "o"}, {U'\u00F5', "o"},
    {U'\u00FA', "u"}, {U'\u00FB', "u"}, {U'\u00FD', "y"}, {U'\u00FF', "y"}, {U'\u0152', "OE"}, {U'\u0153', "oe"},
    {U'\u0104', "A"}, {U'\u0105', "a"}, {U'\u0106', "C"}, {U'\u0107', "c"}, {U'\u010C', "C"}, {U'\u010D', "c"},
    {U'\u0118', "E"}, {U'\u0119', "e"}, {U'\u011A', "E"}, {U'\u011B', "e"}, {U'\u0141', "L"}, {U'\u0142', "l"},
    {U'\u0143', "N"}, {U'\u0144', "n"}, {U'\u0158', "R"}, {U'\u0159', "r"}, {U'\u015A', "S"}, {U'\u015B', "s"},
    {U'\u0160', "S"}, {U'\u0161', "s"}, {U'\u0179', "Z"}, {U'\u017A', "z"}, {U'\u017B', "Z"}, {U'\u017C', "z"},
    {U'\u017D', "Z"}, {U'\u017E', "z"},
};

const char* replacementFor(char32_t cp, Normalization n) {
  if (n == Normalization::kNone) return nullptr;
  for (const auto& r : kLookalikes)
    if (r.from == cp) return r.to;
  if (n == Normalization::kLookalikesAndAccents)
    for (const auto& r : kAccents)
      if (r.from == cp) return r.to;
  return nullptr;
}

std::u32string normalize(const std::u32string& in, Normalization n, size_t& replaced) {
  if (n == Normalization::kNone) return in;
  std::u32string out;
  out.reserve(in.size());
  for (char32_t cp : in) {
    const char* to = isGsmCharacter(cp) ? nullptr : replacementFor(cp, n);
    if (!to) {
      out.push_back(cp);
      continue;
    }
    ++replaced;
    for (const char* p = to; *p; ++p) out.push_back(static_cast<unsigned char>(*p));
  }
  return out;
}

// Splits per-character unit costs into parts of at most `capacity` units.
template <typename Append>
void split(const std::u32string& text, size_t capacity, std::vector<SmsPart>& parts, Append append) {
  parts.emplace_back();
  for (char32_t cp : text) {
    SmsPart* part = &parts.back();
    const size_t before = part->payload.size();
    const size_t cost = append(part->payload, cp);
    if (part->units + cost > capacity) {
      part->payload.resize(before);
      parts.emplace_back();
      part = &parts.back();
      append(part->payload, cp);
    }
    part->units += cost;
  }
}

size_t appendGsm(std::vector<uint8_t>& out, char32_t cp) {
  const GsmCode c = *gsmCode(cp);
  out.push_back(c.first);
  if (!c.escaped) return 1;
  out.push_back(c.second);
  return 2;
}

size_t appendUcs2(std::vector<uint8_t>& out, char32_t cp) {
  appendUtf16Be(out, cp);
  return utf16Units(cp);
}

}  // namespace

const char* encodingName(SmsEncoding e) { return e == SmsEncoding::kGsm7 ? "GSM-7" : "UCS-2"; }

Result<Normalization> parseNormalization(std::string_view name) {
  if (name == "none") return Normalization::kNone;
  if (name == "lookalikes") return Normalization::kLookalikes;
  if (name == "accents") return Normalization::kLookalikesAndAccents;
  return Status::invalid("text normalisation '" + std::string(name) + "' must be none, lookalikes or accents");
}

Result<SmsPlan> planSms(std::string_view utf8, const SegmentOptions& options) {
  TOCSIN_ASSIGN_OR_RETURN(std::u32string decoded, decodeUtf8(utf8));
  SmsPlan plan;
  const std::u32string text = normalize(decoded, options.normalization, plan.replacedCharacters);
  size_t septets = 0, utf16 = 0;
  for (char32_t cp : text) {
    utf16 += utf16Units(cp);
    if (auto c = gsmCode(cp)) {
      septets += c->escaped ? 2 : 1;
    } else {
      std::string s;
      appendUtf8(s, cp);
      if (std::find(plan.ucs2Characters.begin(), plan.ucs2Characters.end(), s) == plan.ucs2Characters.end())
        plan.ucs2Characters.push_back(s);
    }
  }
  plan.text = plan.replacedCharacters ? encodeUtf8(text) : std::string(utf8);
  plan.encoding = plan.ucs2Characters.empty() ? SmsEncoding::kGsm7 : SmsEncoding::kUcs2;
  const bool gsm = plan.encoding == SmsEncoding::kGsm7;
  plan.totalUnits = gsm ? septets : utf16;
  const size_t single = gsm ? 160 : 70;
  if (plan.totalUnits <= single) {
    plan.partCapacity = single;
  } else {
    plan.partCapacity = gsm ? (options.reference16 ? 152 : 153) : (options.reference16 ? 66 : 67);
  }
  if (gsm) split(text, plan.partCapacity, plan.parts, appendGsm);
  else split(text, plan.partCapacity, plan.parts, appendUcs2);
  if (plan.parts.size() > options.maxParts)
    return Status::invalid("the text needs " + std::to_string(plan.parts.size()) + " SMS parts, more than the " +
                           std::to_string(options.maxParts) + " allowed");
  plan.unitsLeft = plan.partCapacity - plan.parts.back().units;
  return plan;
}

std::vector<uint8_t> concatenationUdh(uint16_t reference, uint8_t total, uint8_t sequence, bool reference16) {
  if (reference16)
    return {0x06, 0x08, 0x04, static_cast<uint8_t>(reference >> 8), static_cast<uint8_t>(reference & 0xFF), total,
            sequence};
  return {0x05, 0x00, 0x03, static_cast<uint8_t>(reference & 0xFF), total, sequence};
}

std::string decodePayload(SmsEncoding encoding, const uint8_t* payload, size_t size) {
  return encodeUtf8(encoding == SmsEncoding::kGsm7 ? decodeSeptets(payload, size) : decodeUtf16Be(payload, size));
}

}  // namespace tocsin::text

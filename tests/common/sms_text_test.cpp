#include <catch2/catch.hpp>

#include <random>

#include "common/crypto/hash.h"
#include "common/text/gsm7.h"
#include "common/text/sms_text.h"
#include "common/text/unicode.h"

using namespace tocsin;
using namespace tocsin::text;

namespace {

Septets septetsOf(const std::string& utf8) {
  auto plan = planSms(utf8);
  REQUIRE(plan.ok());
  REQUIRE(plan->encoding == SmsEncoding::kGsm7);
  Septets all;
  for (const auto& p : plan->parts) all.insert(all.end(), p.payload.begin(), p.payload.end());
  return all;
}

std::string packedHex(const std::string& utf8, int fill = 0) {
  const Septets s = septetsOf(utf8);
  return toHex(packSeptets(s.data(), s.size(), fill));
}

}  // namespace

TEST_CASE("GSM-7 packing matches the published vectors") {
  CHECK(packedHex("hellohello") == "e8329bfd4697d9ec37");
  CHECK(packedHex("Hello World!") == "c8329bfd065ddf72363904");
  CHECK(packedHex("123456789012345678901234567890") == "31d98c56b3dd7039584c36a3d56c375c0e1693cd6835db0d978301");
  CHECK(packedHex("a[]{}€") == "e10d6fe3dba036a94d19");
  CHECK(packedHex("{åΦΓΛΩΠΨΣΘ€}") == "1bd44332a1542c174c6653dea400");
  CHECK(packedHex("This is testing !") == "54747a0e4acf41f4f29c9e769f4121");
}

TEST_CASE("Extension characters are escape pairs costing two septets") {
  CHECK(septetsOf("a[]{}€") == Septets{0x61, 0x1B, 0x3C, 0x1B, 0x3E, 0x1B, 0x28, 0x1B, 0x29, 0x1B, 0x65});
  CHECK(planSms("€")->totalUnits == 2);
  CHECK(planSms("^{}\\[~]|\f")->totalUnits == 18);
}

TEST_CASE("The basic table's traps: @ $ _ are not ASCII codes, ` is not GSM, both cedillas map to 0x09") {
  CHECK(septetsOf("@$_") == Septets{0x00, 0x02, 0x11});
  CHECK(septetsOf("Ç") == Septets{0x09});
  CHECK(septetsOf("ç") == Septets{0x09});
  CHECK(planSms("`")->encoding == SmsEncoding::kUcs2);
  CHECK(septetsOf("§¿") == Septets{0x5F, 0x60});
  const Septets all = {0x09};
  CHECK(encodeUtf8(decodeSeptets(all.data(), 1)) == "Ç");
}

TEST_CASE("Septets unpack back with and without fill bits") {
  for (int fill = 0; fill < 7; ++fill) {
    const Septets s = septetsOf("The quick brown fox jumps over the lazy dog 0123456789 {€}");
    const auto packed = packSeptets(s.data(), s.size(), fill);
    CHECK(packed.size() == (static_cast<size_t>(fill) + 7 * s.size() + 7) / 8);
    CHECK(unpackSeptets(packed.data(), packed.size(), s.size(), fill) == s);
  }
  // 8 septets fit exactly in 7 octets.
  CHECK(packSeptets(septetsOf("12345678").data(), 8).size() == 7);
}

TEST_CASE("Decoding tolerates what the alphabet leaves open") {
  const uint8_t unknownEscape[] = {0x1B, 0x41};  // escape + 'A' shows 'A'
  CHECK(encodeUtf8(decodeSeptets(unknownEscape, 2)) == "A");
  const uint8_t doubleEscape[] = {0x1B, 0x1B};  // reserved: shown as a space
  CHECK(encodeUtf8(decodeSeptets(doubleEscape, 2)) == " ");
  const uint8_t trailing[] = {0x41, 0x1B};
  CHECK(encodeUtf8(decodeSeptets(trailing, 2)) == "A");
}

TEST_CASE("GSM-7 part sizes: 160 in one part, then 153 per part") {
  CHECK(planSms(std::string(160, 'a'))->parts.size() == 1);
  const auto two = *planSms(std::string(161, 'a'));
  REQUIRE(two.parts.size() == 2);
  CHECK(two.parts[0].units == 153);
  CHECK(two.parts[1].units == 8);
  CHECK(two.partCapacity == 153);
  CHECK(two.unitsLeft == 145);
  CHECK(planSms(std::string(306, 'a'))->parts.size() == 2);
  CHECK(planSms(std::string(307, 'a'))->parts.size() == 3);
  SegmentOptions ref16;
  ref16.reference16 = true;
  CHECK(planSms(std::string(304, 'a'), ref16)->parts.size() == 2);
  CHECK(planSms(std::string(305, 'a'), ref16)->parts.size() == 3);
}

TEST_CASE("159 characters and a euro sign need two parts, an escape pair never straddles parts") {
  CHECK(planSms(std::string(159, 'a') + "€")->parts.size() == 2);
  CHECK(planSms(std::string(158, 'a') + "€")->parts.size() == 1);
  const auto plan = *planSms(std::string(152, 'a') + "€" + std::string(20, 'b'));
  REQUIRE(plan.parts.size() == 2);
  CHECK(plan.parts[0].units == 152);  // the euro did not fit in the one septet left
  CHECK(plan.parts[1].payload[0] == kGsmEscape);
}

TEST_CASE("UCS-2 is chosen by any non-GSM character, which the preview names") {
  const auto plan = *planSms("Alerte crue: évacuez. Привет ✓ Привет");
  CHECK(plan.encoding == SmsEncoding::kUcs2);
  CHECK(plan.ucs2Characters == std::vector<std::string>{"П", "р", "и", "в", "е", "т", "✓"});
  CHECK(planSms(std::string(70, 'x') + "ж")->parts.size() == 2);
  CHECK(planSms(std::string(69, 'x') + "ж")->parts.size() == 1);
  const auto multi = *planSms(std::string(140, 'x') + "ж");
  CHECK(multi.partCapacity == 67);
  CHECK(multi.parts.size() == 3);
}

TEST_CASE("Characters outside the BMP cost two units and are never split (36 emoji need 2 parts)") {
  std::string emoji;
  for (int i = 0; i < 36; ++i) emoji += "\U0001F631";
  const auto plan = *planSms(emoji);
  CHECK(plan.totalUnits == 72);
  REQUIRE(plan.parts.size() == 2);
  CHECK(plan.parts[0].units == 66);
  CHECK(plan.parts[1].units == 6);
  CHECK(decodePayload(SmsEncoding::kUcs2, plan.parts[0].payload.data(), plan.parts[0].payload.size()) +
            decodePayload(SmsEncoding::kUcs2, plan.parts[1].payload.data(), plan.parts[1].payload.size()) ==
        emoji);
}

TEST_CASE("Optional normalisation keeps a text in GSM-7") {
  const std::string text = "L’école « Jean-Moulin » – fermée… à cause de l’orage";
  CHECK(planSms(text)->encoding == SmsEncoding::kUcs2);
  SegmentOptions look;
  look.normalization = Normalization::kLookalikes;
  const auto plan = *planSms(text, look);
  CHECK(plan.encoding == SmsEncoding::kGsm7);
  CHECK(plan.text == "L'école \" Jean-Moulin \" - fermée... à cause de l'orage");
  CHECK(plan.replacedCharacters == 6);
  SegmentOptions accents;
  accents.normalization = Normalization::kLookalikesAndAccents;
  CHECK(planSms("Fête à Łódź", look)->encoding == SmsEncoding::kUcs2);
  CHECK(planSms("Fête à Łódź", accents)->text == "Fete à Lodz");
  CHECK(parseNormalization("accents").ok());
  CHECK_FALSE(parseNormalization("all").ok());
}

TEST_CASE("Bad input and too many parts are refused") {
  CHECK(planSms("\xC3\x28").status().message().find("UTF-8") != std::string::npos);
  SegmentOptions opts;
  opts.maxParts = 3;
  CHECK(planSms(std::string(153 * 3, 'a'), opts).ok());
  CHECK(planSms(std::string(153 * 3 + 1, 'a'), opts).status().message() ==
        "the text needs 4 SMS parts, more than the 3 allowed");
}

TEST_CASE("An empty text is one empty part") {
  const auto plan = *planSms("");
  CHECK(plan.parts.size() == 1);
  CHECK(plan.unitsLeft == 160);
}

TEST_CASE("Concatenation headers in both reference sizes") {
  CHECK(toHex(concatenationUdh(0xC3, 1, 1, false)) == "050003c30101");
  CHECK(toHex(concatenationUdh(23, 3, 1, false)) == "050003170301");
  CHECK(toHex(concatenationUdh(384, 4, 2, true)) == "060804018004" "02");
}

TEST_CASE("Property: any text survives planning, splitting and decoding") {
  const std::vector<std::string> pool = {"a", "Z", "0", " ", "\n", "@", "$", "_", "é", "Ä", "ß", "€", "{", "}", "[",
                                         "]", "~", "\\", "|", "^", "ê", "ł", "ж", "中", "✓", "\U0001F600", "’", "…"};
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const size_t len = rng() % 400;
    const size_t poolSize = round % 3 == 0 ? 20 : pool.size();  // a third stay within GSM-7
    for (size_t i = 0; i < len; ++i) text += pool[rng() % poolSize];
    SegmentOptions opts;
    opts.reference16 = round % 2;
    const auto plan = planSms(text, opts);
    REQUIRE(plan.ok());
    std::string back;
    size_t units = 0;
    for (const auto& p : plan->parts) {
      CHECK(p.units <= plan->partCapacity);
      units += p.units;
      back += decodePayload(plan->encoding, p.payload.data(), p.payload.size());
    }
    CHECK(units == plan->totalUnits);
    INFO("text: " << text);
    CHECK(back == text);
  }
}

// The user data header as both SMS paths carry it, from a table of headers seen on networks:
// two-part messages with 8- and 16-bit references, a WAP push with its application port, a
// concatenated WAP push, a national language shift next to the concatenation; and damaged ones.
#include <catch2/catch.hpp>

#include "hardware/bearer/user_data_header.h"

using namespace tocsin;

namespace {

std::string bytes(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

}  // namespace

TEST_CASE("User data header: concatenation found among the elements, whatever else the header holds") {
  struct Row {
    const char* what;
    const char* hex;  // the user data from its length octet on, then some text
    size_t headerOctets;
    size_t elements;
    std::optional<Concatenation> concat;
  };
  const Row rows[] = {
      {"part 1 of 2, 8-bit reference (the common form)", "050003A70201414243", 6, 1, Concatenation{0xA7, 2, 1, false}},
      {"part 3 of 3, 16-bit reference", "0608040C4E0303414243", 7, 1, Concatenation{0x0C4E, 3, 3, true}},
      {"WAP push: application port only, no concatenation", "0605040B8423F0", 7, 1, std::nullopt},
      {"concatenated WAP push", "0B05040B8423F00003030201", 12, 2, Concatenation{0x03, 2, 1, false}},
      {"national language shift (Turkish) after the concatenation", "0800030A0201240101", 9, 2, Concatenation{0x0A, 2, 1, false}},
      {"an empty header", "00414243", 1, 0, std::nullopt},
      {"part 0 of 2: not a concatenation", "050003A70200", 6, 1, std::nullopt},
      {"part 3 of 2: not a concatenation", "050003A70203", 6, 1, std::nullopt},
  };
  for (const Row& r : rows) {
    INFO(r.what);
    const auto split = splitUserData(bytes(r.hex));
    REQUIRE(split.ok());
    CHECK(split->headerOctets == r.headerOctets);
    CHECK(split->elements.size() == r.elements);
    const auto c = findConcatenation(split->elements);
    REQUIRE(c.has_value() == r.concat.has_value());
    if (c) {
      CHECK(c->reference == r.concat->reference);
      CHECK(c->total == r.concat->total);
      CHECK(c->sequence == r.concat->sequence);
      CHECK(c->reference16 == r.concat->reference16);
    }
  }
}

TEST_CASE("User data header: damaged headers are refused, naming what is wrong") {
  struct Row {
    const char* hex;
    const char* error;
  };
  const Row rows[] = {
      {"0500030102", "overruns the 5 octets"},                  // the length says 5, 4 follow
      {"0300040102", "element 0x00 overruns the header"},       // an element longer than the header
      {"0100", "truncated"},                                     // an element without its length
      {"", "empty"},
  };
  for (const Row& r : rows) {
    INFO(r.hex);
    const auto split = splitUserData(bytes(r.hex));
    REQUIRE_FALSE(split.ok());
    CHECK(split.status().message().find(r.error) != std::string::npos);
  }
}

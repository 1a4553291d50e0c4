#include <catch2/catch.hpp>

#include "common/phone/phone.h"

using namespace tocsin;

TEST_CASE("National and international forms normalise to the same E.164 number") {
  PhoneNormalizer fr("FR");
  for (const char* input : {"06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "+33612345678", "0033612345678",
                            "06.12.34.56.78", "(0)6-12-34-56-78"}) {
    auto n = fr.normalize(input);
    INFO(input);
    REQUIRE(n.ok());
    CHECK(n->e164 == "+33612345678");
    CHECK(n->numberType == "mobile");
    CHECK(n->region == "FR");
  }
}

TEST_CASE("The default region decides national numbers, explicit country codes win") {
  PhoneNormalizer it("IT");
  CHECK(it.normalize("347 123 4567")->e164 == "+393471234567");
  CHECK(it.normalize("+33 6 12 34 56 78")->region == "FR");
  PhoneNormalizer us("US");
  auto n = us.normalize("(201) 555-0123");
  REQUIRE(n.ok());
  CHECK(n->e164 == "+12015550123");
  CHECK(n->numberType == "fixed_line_or_mobile");
}

TEST_CASE("Invalid numbers are refused with the reason") {
  PhoneNormalizer fr("FR");
  CHECK(fr.normalize("").status().message() == "phone number is empty");
  CHECK(fr.normalize("hello").status().message().find("not a phone number") != std::string::npos);
  CHECK(fr.normalize("061234").status().message().find("too short") != std::string::npos);
  CHECK(fr.normalize("06123456789012").status().message().find("too long") != std::string::npos);
  CHECK(fr.normalize("+999 123456").status().message().find("country code") != std::string::npos);
  CHECK(fr.normalize("+33 6 12 34 56 78 ext. 12").status().message().find("extension") != std::string::npos);
  for (const char* bad : {"", "hello", "061234", "+999 123456"}) CHECK(fr.normalize(bad).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("The number type is kept") {
  PhoneNormalizer fr("FR");
  CHECK(fr.normalize("01 42 68 53 00")->numberType == "fixed_line");
  CHECK(fr.normalize("0800 123 456")->numberType == "toll_free");
  CHECK(fr.normalize("07 56 12 34 56")->numberType == "mobile");
}

TEST_CASE("Known regions are ISO codes libphonenumber supports") {
  CHECK(PhoneNormalizer::isKnownRegion("FR"));
  CHECK(PhoneNormalizer::isKnownRegion("PL"));
  CHECK_FALSE(PhoneNormalizer::isKnownRegion("XX"));
  CHECK_FALSE(PhoneNormalizer::isKnownRegion("fr"));
}

#include <catch2/catch.hpp>

#include "common/config/config.h"

using namespace tocsin;

TEST_CASE("With no file, every key has its embedded default") {
  auto c = parseConfig("{}", "test");
  REQUIRE(c.ok());
  CHECK(c->store.path == "var/tocsin.db");
  CHECK(c->keysDir() == "var/keys");
  CHECK(c->phone.defaultRegion == "FR");
  CHECK(*c->retention.unconfirmedSignups == std::chrono::hours(48));
  CHECK_FALSE(c->retention.suppressions.has_value());
}

TEST_CASE("A file overrides keys one by one") {
  auto c = parseConfig(R"({"store": {"path": "/srv/t.db", "busy_timeout_ms": 250},
                           "phone": {"default_region": "IT"},
                           "retention": {"message_bodies": "7d", "audit_entries": "never"}})",
                       "test");
  REQUIRE(c.ok());
  CHECK(c->store.path == "/srv/t.db");
  CHECK(c->keysDir() == "/srv/keys");
  CHECK(c->store.busyTimeoutMs == 250);
  CHECK(c->phone.defaultRegion == "IT");
  CHECK(*c->retention.messageBodies == std::chrono::days(7));
  CHECK_FALSE(c->retention.auditEntries.has_value());
  CHECK(*c->retention.deliveryReports == std::chrono::days(90));
}

TEST_CASE("Mistakes in the file name the key") {
  CHECK(parseConfig(R"({"retention": {"mesage_bodies": "7d"}})", "f.json").status().message() ==
        "f.json: unknown configuration key 'retention.mesage_bodies'");
  CHECK(parseConfig(R"({"retention": {"message_bodies": "7"}})", "f").status().message().find(
            "'retention.message_bodies'") != std::string::npos);
  CHECK(parseConfig(R"({"store": {"busy_timeout_ms": "fast"}})", "f").status().message().find("an integer") !=
        std::string::npos);
  CHECK(parseConfig(R"({"phone": {"default_region": "XX"}})", "f").status().message().find("XX") !=
        std::string::npos);
  CHECK(parseConfig("{not json", "f").status().message().find("not valid JSON") != std::string::npos);
  CHECK(parseConfig("[1,2]", "f").status().message().find("JSON object") != std::string::npos);
}

#include <catch2/catch.hpp>

#include <Poco/JSON/Parser.h>

#include "common/consent/export.h"
#include "common/csv/csv.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::testing;

namespace {

struct ExportFixture : StoreFixture {
  ExportFixture() : key(Ed25519KeyPair::generate().value()) {
    ann = addContact("0611111111");
    bob = addContact("0622222222");
    giveConsent(ann, "alerts");
    clock.advance(std::chrono::hours(24));
    giveConsent(bob, "promotions:bakery", false);
  }
  ExportSummary run(ExportFormat format, const std::string& out, ConsentExportFilter filter = {}) {
    auto s = exportConsent(*store, *audit, key, "cli:auditor", format, filter, out);
    REQUIRE(s.ok());
    return *s;
  }
  Ed25519KeyPair key;
  ContactId ann = 0, bob = 0;
};

}  // namespace

TEST_CASE_METHOD(ExportFixture, "The CSV export holds every consent event with the proof fields") {
  const std::string out = dir.file("consent.csv");
  const auto s = run(ExportFormat::kCsv, out);
  CHECK(s.events == 3);
  const std::string text = readFile(out);
  CsvReader reader(text);
  auto header = **reader.next();
  CHECK(header.fields.at(0) == "event_id");
  CHECK(header.fields.size() == 13);
  auto first = **reader.next();
  CHECK(first.fields[3] == "'+33611111111");  // a leading + is neutralised like = - @ (OWASP)
  CHECK(first.fields[4] == "alerts");
  CHECK(first.fields[5] == "granted");
  CHECK(first.fields[8] == toHex(sha256("I agree to receive alerts by SMS.")));
  CHECK(first.fields[10] == "kiosk:K-01");
  CHECK(verifyConsentExport(out, key.publicKey()).ok());
}

TEST_CASE_METHOD(ExportFixture, "The JSON export parses and keeps its field order") {
  const std::string out = dir.file("consent.json");
  run(ExportFormat::kJson, out);
  const std::string text = readFile(out);
  Poco::JSON::Parser parser;
  auto root = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
  CHECK(root->getValue<std::string>("format") == "tocsin-consent-export");
  auto events = root->getArray("events");
  REQUIRE(events->size() == 3);
  CHECK(events->getObject(2)->getValue<std::string>("purpose") == "promotions:bakery");
  CHECK(text.find("{\"event_id\":1,\"recorded_at\"") != std::string::npos);
  CHECK(verifyConsentExport(out, key.publicKey()).ok());
}

TEST_CASE_METHOD(ExportFixture, "Filters select by time and purpose") {
  ConsentExportFilter f;
  f.purpose = "alerts";
  CHECK(run(ExportFormat::kCsv, dir.file("a.csv"), f).events == 2);
  ConsentExportFilter later;
  later.from = clock.now() - std::chrono::hours(1);
  CHECK(run(ExportFormat::kCsv, dir.file("b.csv"), later).events == 1);
  ConsentExportFilter earlier;
  earlier.to = clock.now() - std::chrono::hours(1);
  CHECK(run(ExportFormat::kCsv, dir.file("c.csv"), earlier).events == 2);
}

TEST_CASE_METHOD(ExportFixture, "Any changed byte, a changed signature or another key fails verification") {
  const std::string out = dir.file("consent.csv");
  run(ExportFormat::kCsv, out);
  const std::string original = readFile(out);
  SECTION("every single flipped bit in the file") {
    for (size_t i = 0; i < original.size(); i += 7) {
      std::string changed = original;
      changed[i] = static_cast<char>(changed[i] ^ 0x01);
      writeFile(out, changed);
      auto v = verifyConsentExport(out, key.publicKey());
      INFO("byte " << i);
      CHECK(v.status().code() == StatusCode::kDataLoss);
    }
  }
  SECTION("an appended line") {
    writeFile(out, original + "99,2026-01-01T00:00:00Z,1,+33600000000,alerts,confirmed,,,,en,cli:x,x,\n");
    CHECK(verifyConsentExport(out, key.publicKey()).status().message().find("changed after signing") !=
          std::string::npos);
  }
  SECTION("a re-signed file with another key") {
    auto other = Ed25519KeyPair::generate().value();
    auto s = exportConsent(*store, *audit, other, "cli:x", ExportFormat::kCsv, {}, out);
    REQUIRE(s.ok());
    CHECK(verifyConsentExport(out, key.publicKey()).status().message().find("not by the trusted key") !=
          std::string::npos);
  }
  SECTION("a changed signature") {
    std::string sig = readFile(out + ".sig");
    const auto pos = sig.find("signature ") + 12;
    sig[pos] = sig[pos] == 'A' ? 'B' : 'A';
    writeFile(out + ".sig", sig);
    CHECK(verifyConsentExport(out, key.publicKey()).status().code() == StatusCode::kDataLoss);
  }
}

TEST_CASE_METHOD(ExportFixture, "An export is audited") {
  run(ExportFormat::kCsv, dir.file("x.csv"));
  store->read([&](StoreTx& tx) {
    auto e = tx.audit().last();
    CHECK(e->action == "consent.export");
    CHECK(e->actor == "cli:auditor");
    CHECK(e->reason == "events=3 texts=2");
    return Status::okStatus();
  }).ok();
}

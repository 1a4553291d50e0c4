#include <catch2/catch.hpp>

#include "common/contacts/import.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::testing;

namespace {

struct ImportFixture : StoreFixture {
  ImportReport run(const std::string& csv) {
    ContactImporter importer(phones, book);
    ImportOptions opts;
    opts.label = "residents.csv";
    auto r = importer.run(*store, *audit, "cli:test", csv, opts);
    REQUIRE(r.ok());
    return *r;
  }
  int64_t contacts() {
    int64_t n = 0;
    store->read([&](StoreTx& tx) {
      n = tx.contacts().count();
      return Status::okStatus();
    }).ok();
    return n;
  }
  std::optional<Contact> find(const std::string& e164) {
    std::optional<Contact> c;
    store->read([&](StoreTx& tx) {
      c = tx.contacts().findByPhone(e164);
      return Status::okStatus();
    }).ok();
    return c;
  }
};

}  // namespace

TEST_CASE_METHOD(ImportFixture, "A good file is imported with normalised numbers and one audit entry") {
  const auto r = run("phone,name,zone,language\n06 12 34 56 78,Zoé,Z1,fr\n+33756123456,,Z2,\n");
  CHECK(r.committed);
  CHECK(r.rows == 2);
  CHECK(r.created == 2);
  CHECK(r.problems.empty());
  const auto zoe = find("+33612345678");
  REQUIRE(zoe);
  CHECK(*zoe->details.name == "Zoé");
  CHECK(*zoe->details.zone == "Z1");
  CHECK(zoe->source == "import");
  CHECK_FALSE(find("+33756123456")->details.name);
  store->read([&](StoreTx& tx) {
    CHECK(tx.audit().count() == 1);
    auto e = tx.audit().last();
    CHECK(e->action == "contacts.import");
    CHECK(e->object == "file:residents.csv");
    CHECK(e->reason.find("created=2") != std::string::npos);
    CHECK(e->reason.find("+336") == std::string::npos);
    return Status::okStatus();
  }).ok();
}

TEST_CASE_METHOD(ImportFixture, "Extra columns are allowed and column order does not matter") {
  const auto r = run("Language,notes,PHONE,time_zone,latitude,longitude\nit,likes bread,0612345678,Europe/Rome,45.1,7.6\n");
  REQUIRE(r.committed);
  const auto c = find("+33612345678");
  CHECK(*c->details.language == "it");
  CHECK(*c->details.timeZone == "Europe/Rome");
  CHECK(*c->details.latitude == Approx(45.1));
}

TEST_CASE_METHOD(ImportFixture, "Every bad row is reported with its line and reason, and nothing is written") {
  const auto r = run(
      "phone,name,zone,language\n"
      "0612345678,Ann,Z1,fr\n"        // line 2 good
      "12,Bob,Z1,fr\n"                // line 3 too short
      "0612345679,Cy,Z 1,fr\n"        // line 4 bad zone
      "0612345670,Di,Z1\n"            // line 5 wrong field count
      "0142685300,Ed,Z1,fr\n"         // line 6 fixed line
      "0612345671,\"Fay,Z1,fr\n");    // line 7 unterminated quote
  CHECK_FALSE(r.committed);
  REQUIRE(r.problems.size() == 5);
  CHECK(r.problems[0].line == 3);
  CHECK(r.problems[0].reason.find("too short") != std::string::npos);
  CHECK(r.problems[1].line == 4);
  CHECK(r.problems[1].reason.find("zone") != std::string::npos);
  CHECK(r.problems[2].line == 5);
  CHECK(r.problems[2].reason.find("3 fields but the header has 4") != std::string::npos);
  CHECK(r.problems[3].line == 6);
  CHECK(r.problems[3].reason.find("cannot receive SMS") != std::string::npos);
  CHECK(r.problems[4].line == 7);
  CHECK(contacts() == 0);
  store->read([&](StoreTx& tx) {
    CHECK(tx.audit().count() == 0);
    return Status::okStatus();
  }).ok();
}

TEST_CASE_METHOD(ImportFixture, "A header without a phone column is refused") {
  const auto r = run("name,zone\nAnn,Z1\n");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].line == 1);
  CHECK(r.problems[0].reason.find("'phone'") != std::string::npos);
  CHECK(run("").problems.at(0).reason.find("empty") != std::string::npos);
}

TEST_CASE_METHOD(ImportFixture, "Duplicates in the file are merged, existing contacts are updated") {
  addContact("0612345678", ContactDetails{std::string("Old"), std::nullopt, std::nullopt, std::string("Z9"), {}, {}});
  const auto r = run("phone,name,zone,language\n0612345678,,Z1,\n+33612345678,Ann,,fr\n0756123456,Bo,Z2,\n");
  REQUIRE(r.committed);
  CHECK(r.duplicatesMerged == 1);
  CHECK(r.updated == 1);
  CHECK(r.created == 1);
  const auto ann = find("+33612345678");
  CHECK(*ann->details.name == "Ann");
  CHECK(*ann->details.zone == "Z1");
  CHECK(*ann->details.language == "fr");
  CHECK(ann->source == "cli");
  // Importing the same file again changes nothing.
  const auto again = run("phone,name,zone,language\n0612345678,,Z1,\n+33612345678,Ann,,fr\n0756123456,Bo,Z2,\n");
  CHECK(again.unchanged == 2);
}

TEST_CASE_METHOD(ImportFixture, "A suppressed number refuses the whole file") {
  write([&](StoreTx& tx, AuditRecorder& rec) {
    tx.suppressions().add({suppressor.fingerprint("+33756123456"), 1, "erased", rec.now()});
    return Status::okStatus();
  });
  const auto r = run("phone\n0612345678\n0756123456\n");
  CHECK_FALSE(r.committed);
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].line == 3);
  CHECK(r.problems[0].reason.find("suppressed") != std::string::npos);
  CHECK(contacts() == 0);
}

TEST_CASE_METHOD(ImportFixture, "Invalid UTF-8 is refused") {
  const auto r = run("phone,name\n0612345678,\xC3\x28\n");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].reason.find("UTF-8") != std::string::npos);
}

TEST_CASE_METHOD(ImportFixture, "Large files import in parallel with the same result as one thread") {
  std::string csv = "phone,zone\n";
  for (int i = 0; i < 5000; ++i) csv += "06" + std::to_string(10000000 + i) + ",Z" + std::to_string(i % 7) + "\n";
  const auto r = run(csv);
  REQUIRE(r.committed);
  CHECK(r.created == 5000);
  CHECK(contacts() == 5000);
  CHECK(*find("+33610004999")->details.zone == "Z" + std::to_string(4999 % 7));
}

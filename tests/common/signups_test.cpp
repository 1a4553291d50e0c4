// Sign-ups through the store: nothing about the person until the code comes back, an existing
// contact left exactly as it was, an erased number treated like any other and brought back only
// by its own confirmed sign-up, the daily cap on code SMS, and codes bound to where they were taken.
#include <catch2/catch.hpp>

#include "common/consent/codes.h"
#include "common/consent/signups.h"
#include "common/privacy/erasure.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;

namespace {

struct Signups {
  testing::StoreFixture f;
  SignupService service{f.book};

  Signups() {
    f.write([&](StoreTx& tx, AuditRecorder& rec) {
      TOCSIN_RETURN_IF_ERROR(consent::registerText(tx, rec, "alerts-v", kAlertsPurpose, "fr", "Alertes de la ville par SMS.").status());
      return consent::registerText(tx, rec, "bakery-v", "promotions:bakery", "fr", "Offres de la boulangerie par SMS.").status();
    });
  }

  NewSignup request(const std::string& phone, std::vector<SignupText> texts = {{"alerts", "alerts-v", 1}}) {
    NewSignup r;
    r.number = f.phones.normalize(phone).value();
    r.name = std::string("Someone Else");
    r.language = "fr";
    r.texts = std::move(texts);
    r.channel = "api:bakery-web";
    r.source = "shop:bakery";
    r.codeSms = "Code : {code}";
    return r;
  }

  Result<StartedSignup> start(const NewSignup& r) {
    Result<StartedSignup> out = Status::internal("not run");
    const Status st = f.audit->write(*f.store, "api:bakery-web", [&](StoreTx& tx, AuditRecorder& rec) {
      out = service.start(tx, rec, r);
      return out.status();
    });
    if (!st.ok()) return st;
    return out;
  }

  CodeCheck typed(int64_t id, const std::string& code, const std::string& channel = "api:bakery-web") {
    CodeCheck out;
    f.write([&](StoreTx& tx, AuditRecorder& rec) {
      TOCSIN_ASSIGN_OR_RETURN(out, service.confirmTyped(tx, rec, id, channel, code));
      return Status::okStatus();
    });
    return out;
  }

  std::string lastCode() {
    const std::string body = testing::rawQuery(f.dbPath, "SELECT body FROM jobs WHERE title = 'sign-up code' ORDER BY id DESC LIMIT 1");
    return body.substr(body.find_first_of("0123456789"), 6);
  }
  std::string q(const std::string& sql) { return testing::rawQuery(f.dbPath, sql); }
};

}  // namespace

TEST_CASE("Sign-ups: an existing contact's details stay as they were, only the consent is added") {
  Signups s;
  ContactDetails anne;
  anne.name = std::string("Anne");
  anne.zone = std::string("RIVERSIDE");
  anne.language = std::string("en");
  const ContactId id = s.f.addContact("+33612000001", anne, "import");
  const auto started = s.start(s.request("+33612000001"));
  REQUIRE(started.ok());
  CHECK(s.q("SELECT count(*) FROM consent_events") == "0");
  REQUIRE(s.typed(started->id, s.lastCode()).verdict == CodeCheck::Verdict::kConfirmed);
  CHECK(s.q("SELECT name || '|' || zone || '|' || language || '|' || source FROM contacts WHERE id = " + std::to_string(id)) ==
        "Anne|RIVERSIDE|en|import");
  CHECK(s.q("SELECT state FROM consent_state WHERE contact_id = " + std::to_string(id) + " AND purpose = 'alerts'") == "confirmed");
}

TEST_CASE("Sign-ups: a new number becomes a contact of the sign-up's source, never of the register") {
  Signups s;
  const auto started = s.start(s.request("+33612000002", {{"alerts", "alerts-v", 1}, {"promotions:bakery", "bakery-v", 1}}));
  REQUIRE(started.ok());
  CHECK(s.q("SELECT count(*) FROM contacts") == "0");
  const CodeCheck c = s.typed(started->id, s.lastCode());
  REQUIRE(c.verdict == CodeCheck::Verdict::kConfirmed);
  CHECK(c.confirmed == std::vector<std::string>{"alerts", "promotions:bakery"});
  CHECK(s.q("SELECT source || '|' || name FROM contacts") == "shop:bakery|Someone Else");
  CHECK(s.q("SELECT group_concat(action) FROM (SELECT action FROM consent_events ORDER BY id) AS e") == "granted,confirmed,granted,confirmed");
  CHECK(s.q("SELECT evidence FROM consent_events WHERE action = 'confirmed' LIMIT 1").find("typed at api:bakery-web") != std::string::npos);
  // The code is used: typing it again does nothing more.
  CHECK(s.typed(started->id, s.lastCode()).verdict == CodeCheck::Verdict::kBlocked);
}

TEST_CASE("Sign-ups: an erased number starts like any other and comes back only by its own confirmed sign-up") {
  Signups s;
  s.f.addContact("+33612000003");
  REQUIRE(eraseNumber(*s.f.store, *s.f.audit, s.f.suppressor, "test", s.f.phones.normalize("+33612000003").value()).ok());
  const auto started = s.start(s.request("+33612000003"));
  REQUIRE(started.ok());  // the same answer as for any number
  CHECK(s.q("SELECT count(*) FROM suppressions") == "1");  // not lifted by the tap alone
  REQUIRE(s.typed(started->id, s.lastCode()).verdict == CodeCheck::Verdict::kConfirmed);
  CHECK(s.q("SELECT count(*) FROM suppressions") == "0");
  CHECK(s.q("SELECT count(*) FROM audit_log WHERE action = 'suppression.lift'") == "1");
}

TEST_CASE("Sign-ups: a number gets at most three codes a day") {
  Signups s;
  for (int i = 0; i < 3; ++i) REQUIRE(s.start(s.request("+33612000004")).ok());
  const auto fourth = s.start(s.request("+33612000004"));
  CHECK(fourth.status().code() == StatusCode::kTooMany);
  CHECK(s.q("SELECT count(*) FROM jobs WHERE title = 'sign-up code'") == "3");
  s.f.clock.advance(std::chrono::hours(25));
  CHECK(s.start(s.request("+33612000004")).ok());
}

TEST_CASE("Sign-ups: a code is confirmed only where it was taken, before it expires, with texts of its purpose") {
  Signups s;
  const auto started = s.start(s.request("+33612000005"));
  REQUIRE(started.ok());
  const std::string code = s.lastCode();
  CHECK(s.typed(started->id, code, "kiosk:K-02").verdict == CodeCheck::Verdict::kBlocked);
  s.f.clock.advance(std::chrono::hours(49));
  CHECK(s.typed(started->id, code).verdict == CodeCheck::Verdict::kBlocked);
  CHECK(s.q("SELECT count(*) FROM contacts") == "0");
  // A text borrowed from another purpose is refused, naming it.
  const auto borrowed = s.start(s.request("+33612000006", {{"alerts", "bakery-v", 1}}));
  CHECK(borrowed.status().code() == StatusCode::kInvalidArgument);
  CHECK(borrowed.status().message().find("not a text for alerts") != std::string::npos);
  // Retention purges what expired.
  int64_t purged = 0;
  s.f.write([&](StoreTx& tx, AuditRecorder& rec) {
    purged = tx.signups().purge(rec.now());
    return Status::okStatus();
  });
  CHECK(purged == 1);
}

// The kiosk's sign-ups in a real store: consent events with the kiosk, language and exact text
// (id, version, SHA-256), a code SMS queued for the broadcaster, confirmation by typed code,
// withdrawal, and a changed consent text becoming a new version.
#include <catch2/catch.hpp>

#include "broadcaster/engine/inbound.h"
#include "common/crypto/hash.h"
#include "kiosk/signups.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::kiosk;

namespace {

KioskIdentity identity() { return {"K-01", "martin", "Boulangerie Martin", "Saint-Tocsin"}; }

// The code is only in the queued SMS (the store keeps its hash).
std::string queuedCode(const std::string& db) {
  const std::string body = testing::rawQuery(db, "SELECT body FROM jobs WHERE title = 'kiosk sign-up code' ORDER BY id DESC LIMIT 1");
  const auto at = body.find_first_of("0123456789");
  return body.substr(at, 6);
}

}  // namespace

TEST_CASE("Kiosk sign-ups: pending consents with the exact text shown, a code by SMS, confirmed by the typed code") {
  testing::StoreFixture f;
  auto s = StoreSignups::open(*f.store, *f.audit, f.book, identity(), {}).value();
  SignupRequest r{"06 12 34 56 78", "FR", std::string("Marie"), "it", true, true, 15};
  const PendingSignup p = s->signUp(r).value();
  CHECK(p.maskedPhone == "+33 6 \u2022\u2022 \u2022\u2022 \u20226 78");
  const std::string id = std::to_string(p.contact);
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM consent_events WHERE contact_id = " + id + " AND action = 'granted'") == "2");
  const ConsentText& shown = s->shownText("promotions", "it");
  CHECK(shown.sha256 == toHex(sha256(shown.body)));
  CHECK(testing::rawQuery(f.dbPath, "SELECT channel || '|' || language || '|' || text_id || '|' || text_version || '|' || text_sha256 "
                                    "FROM consent_events WHERE purpose = 'promotions:martin'") ==
        "kiosk:K-01|it|kiosk-promotions-martin|" + std::to_string(shown.version) + "|" + shown.sha256);
  // Not valid before confirmation; the code SMS waits in the queue for the broadcaster.
  CHECK(testing::rawQuery(f.dbPath, "SELECT state FROM consent_state WHERE purpose = 'alerts'") == "granted");
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM messages WHERE destination = '+33612345678' AND state = 'queued'") == "1");
  int left = 0;
  CHECK(s->confirm(p.contact, "000000", left).value() == CodeOutcome::kWrong);
  CHECK(left == 4);
  CHECK(s->confirm(p.contact, queuedCode(f.dbPath), left).value() == CodeOutcome::kConfirmed);
  CHECK(testing::rawQuery(f.dbPath, "SELECT group_concat(state) FROM consent_state WHERE contact_id = " + id) == "confirmed,confirmed");
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM audit_log WHERE actor = 'kiosk:K-01'") != "0");
  CHECK(f.audit->verify(*f.store).value().intact());
}

TEST_CASE("Kiosk sign-ups: five wrong codes burn the code") {
  testing::StoreFixture f;
  auto s = StoreSignups::open(*f.store, *f.audit, f.book, identity(), {}).value();
  const PendingSignup p = s->signUp({"0612345678", "FR", std::nullopt, "en", true, false, 0}).value();
  int left = 0;
  for (int i = 0; i < 4; ++i) CHECK(s->confirm(p.contact, "000000", left).value() == CodeOutcome::kWrong);
  CHECK(s->confirm(p.contact, "000000", left).value() == CodeOutcome::kBlocked);
  CHECK(s->confirm(p.contact, queuedCode(f.dbPath), left).value() == CodeOutcome::kBlocked);
}

TEST_CASE("Kiosk sign-ups: promotions need the age confirmation, and something must be chosen") {
  testing::StoreFixture f;
  auto s = StoreSignups::open(*f.store, *f.audit, f.book, identity(), {}).value();
  CHECK_FALSE(s->signUp({"0612345678", "FR", std::nullopt, "en", false, true, 0}).ok());
  CHECK_FALSE(s->signUp({"0612345678", "FR", std::nullopt, "en", false, false, 15}).ok());
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM contacts") == "0");
}

TEST_CASE("Kiosk sign-ups: withdrawal at the kiosk ends both consents and is confirmed by SMS") {
  testing::StoreFixture f;
  auto s = StoreSignups::open(*f.store, *f.audit, f.book, identity(), {}).value();
  const PendingSignup p = s->signUp({"0612345678", "FR", std::nullopt, "fr", true, true, 15}).value();
  int left = 0;
  REQUIRE(s->confirm(p.contact, queuedCode(f.dbPath), left).value() == CodeOutcome::kConfirmed);
  REQUIRE(s->withdraw("06 12 34 56 78", "FR", "fr").ok());
  CHECK(testing::rawQuery(f.dbPath, "SELECT group_concat(state) FROM consent_state") == "withdrawn,withdrawn");
  CHECK(testing::rawQuery(f.dbPath, "SELECT method FROM consent_events WHERE action = 'withdrawn' LIMIT 1") == "kiosk-button");
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM jobs WHERE title = 'kiosk withdrawal'") == "1");
  // An unknown number gets the same answer and changes nothing.
  REQUIRE(s->withdraw("0698765432", "FR", "fr").ok());
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM jobs WHERE title = 'kiosk withdrawal'") == "1");
}

TEST_CASE("Kiosk sign-ups: a changed consent text is a new version; the same text is not") {
  testing::StoreFixture f;
  auto first = StoreSignups::open(*f.store, *f.audit, f.book, identity(), {}).value();
  const int64_t v1 = first->shownText("alerts", "fr").version;
  auto same = StoreSignups::open(*f.store, *f.audit, f.book, identity(), {}).value();
  CHECK(same->shownText("alerts", "fr").version == v1);
  auto changed = StoreSignups::open(*f.store, *f.audit, f.book, identity(), {{"alerts", {{"fr", "Nouveau texte des alertes. STOP pour arrêter."}}}}).value();
  CHECK(changed->shownText("alerts", "fr").version == v1 + 1);
  CHECK(changed->shownText("alerts", "fr").body == "Nouveau texte des alertes. STOP pour arrêter.");
  CHECK(changed->shownText("alerts", "en").version == first->shownText("alerts", "en").version);
}

TEST_CASE("Kiosk sign-ups: replying to the code SMS from the phone confirms the sign-up too") {
  testing::StoreFixture f;
  auto s = StoreSignups::open(*f.store, *f.audit, f.book, identity(), {}).value();
  const PendingSignup p = s->signUp({"0612345678", "FR", std::nullopt, "fr", true, true, 15}).value();
  const auto policies = policy::parsePolicyConfig(nullptr).value();
  engine::InboundHandler inbound(policies, f.phones);
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    auto outcome = inbound.handle(tx, rec, {"+33612345678", "38100", queuedCode(f.dbPath), "carrier", f.clock.now()});
    REQUIRE(outcome.ok());
    CHECK(outcome->outcome.rfind("confirmed", 0) == 0);
    return Status::okStatus();
  });
  CHECK(testing::rawQuery(f.dbPath, "SELECT group_concat(state) FROM consent_state WHERE contact_id = " + std::to_string(p.contact)) ==
        "confirmed,confirmed");
  CHECK(testing::rawQuery(f.dbPath, "SELECT method FROM consent_events WHERE action = 'confirmed' LIMIT 1") == "sms-reply-code");
}

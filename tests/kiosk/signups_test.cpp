// The kiosk's sign-ups in a real store: a pending sign-up and a code SMS queued for the
// broadcaster; once the code is typed, the contact and consent events with the kiosk, language
// and exact text (id, version, SHA-256); withdrawal; a changed consent text becoming a new version.
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
  const std::string body = testing::rawQuery(db, "SELECT body FROM jobs WHERE title = 'sign-up code' ORDER BY id DESC LIMIT 1");
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
  // Nothing about the person before the code comes back; the code SMS waits in the queue.
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM contacts") == "0");
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM consent_events") == "0");
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM messages WHERE destination = '+33612345678' AND state = 'queued'") == "1");
  int left = 0;
  CHECK(s->confirm(p.signup, "000000", left).value() == CodeOutcome::kWrong);
  CHECK(left == 4);
  f.clock.advance(std::chrono::minutes(2));
  CHECK(s->confirm(p.signup, queuedCode(f.dbPath), left).value() == CodeOutcome::kConfirmed);
  const std::string id = testing::rawQuery(f.dbPath, "SELECT id FROM contacts WHERE phone = '+33612345678' AND source = 'kiosk'");
  REQUIRE_FALSE(id.empty());
  const ConsentText& shown = s->shownText("promotions", "it");
  CHECK(shown.sha256 == toHex(sha256(shown.body)));
  CHECK(testing::rawQuery(f.dbPath, "SELECT channel || '|' || language || '|' || text_id || '|' || text_version || '|' || text_sha256 "
                                    "FROM consent_events WHERE purpose = 'promotions:martin' AND action = 'granted'") ==
        "kiosk:K-01|it|kiosk-promotions-martin|" + std::to_string(shown.version) + "|" + shown.sha256);
  // The grant carries the time of the tap, the confirmation its own.
  CHECK(testing::rawQuery(f.dbPath, "SELECT max(recorded_at) - min(recorded_at) FROM consent_events WHERE purpose = 'alerts'") ==
        std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::minutes(2)).count()));
  CHECK(testing::rawQuery(f.dbPath, "SELECT group_concat(state) FROM consent_state WHERE contact_id = " + id) == "confirmed,confirmed");
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM audit_log WHERE actor = 'kiosk:K-01'") != "0");
  CHECK(f.audit->verify(*f.store).value().intact());
}

TEST_CASE("Kiosk sign-ups: five wrong codes burn the code") {
  testing::StoreFixture f;
  auto s = StoreSignups::open(*f.store, *f.audit, f.book, identity(), {}).value();
  const PendingSignup p = s->signUp({"0612345678", "FR", std::nullopt, "en", true, false, 0}).value();
  int left = 0;
  for (int i = 0; i < 4; ++i) CHECK(s->confirm(p.signup, "000000", left).value() == CodeOutcome::kWrong);
  CHECK(s->confirm(p.signup, "000000", left).value() == CodeOutcome::kBlocked);
  CHECK(s->confirm(p.signup, queuedCode(f.dbPath), left).value() == CodeOutcome::kBlocked);
}

TEST_CASE("Kiosk sign-ups: promotions need the age confirmation, and something must be chosen") {
  testing::StoreFixture f;
  auto s = StoreSignups::open(*f.store, *f.audit, f.book, identity(), {}).value();
  CHECK_FALSE(s->signUp({"0612345678", "FR", std::nullopt, "en", false, true, 0}).ok());
  CHECK_FALSE(s->signUp({"0612345678", "FR", std::nullopt, "en", false, false, 15}).ok());
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM contacts") == "0");
}

TEST_CASE("Kiosk sign-ups: withdrawal at the kiosk waits for its code, ends the shop's offers only, and is confirmed by SMS") {
  testing::StoreFixture f;
  auto s = StoreSignups::open(*f.store, *f.audit, f.book, identity(), {}).value();
  const PendingSignup p = s->signUp({"0612345678", "FR", std::nullopt, "fr", true, true, 15}).value();
  int left = 0;
  REQUIRE(s->confirm(p.signup, queuedCode(f.dbPath), left).value() == CodeOutcome::kConfirmed);
  const PendingSignup w = s->withdraw("06 12 34 56 78", "FR", "fr").value();
  // Typing the number changed nothing yet.
  CHECK(testing::rawQuery(f.dbPath, "SELECT group_concat(purpose || '=' || state) FROM consent_state ORDER BY purpose") ==
        "alerts=confirmed,promotions:martin=confirmed");
  CHECK(s->confirm(w.signup, "000000", left).value() == CodeOutcome::kWrong);
  CHECK(s->confirm(w.signup, queuedCode(f.dbPath), left).value() == CodeOutcome::kConfirmed);
  CHECK(testing::rawQuery(f.dbPath, "SELECT group_concat(purpose || '=' || state) FROM consent_state ORDER BY purpose") ==
        "alerts=confirmed,promotions:martin=withdrawn");
  CHECK(testing::rawQuery(f.dbPath, "SELECT method FROM consent_events WHERE action = 'withdrawn' LIMIT 1") ==
        "confirmation-code");
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM jobs WHERE title = 'kiosk withdrawal'") == "1");
  // An unknown number gets the same answer (a code) and, confirmed, changes nothing.
  const PendingSignup unknown = s->withdraw("0698765432", "FR", "fr").value();
  CHECK(unknown.signup > w.signup);
  CHECK(s->confirm(unknown.signup, queuedCode(f.dbPath), left).value() == CodeOutcome::kConfirmed);
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM jobs WHERE title = 'kiosk withdrawal'") == "1");
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM contacts") == "1");
}

TEST_CASE("Kiosk sign-ups: a changed consent text is a new version, the same text is not") {
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
  engine::InboundHandler inbound(policies, f.phones, f.suppressor);
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    auto outcome = inbound.handle(tx, rec, {"+33612345678", "38100", queuedCode(f.dbPath), "carrier", f.clock.now()});
    REQUIRE(outcome.ok());
    CHECK(outcome->outcome.rfind("confirmed", 0) == 0);
    return Status::okStatus();
  });
  CHECK(testing::rawQuery(f.dbPath, "SELECT group_concat(state) FROM consent_state") == "confirmed,confirmed");
  CHECK(testing::rawQuery(f.dbPath, "SELECT method FROM consent_events WHERE action = 'confirmed' LIMIT 1") == "sms-reply-code");
}

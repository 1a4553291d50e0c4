// The dispatcher on a fake clock with bearers whose answers the test decides: the life of
// messages, pre-emption of promotions by alerts, policies at send time, retries and failover,
// recovery after a crash, replies from phones, and a store that fails a commit.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "broadcaster/engine/dispatcher.h"
#include "broadcaster/engine/jobs.h"
#include "common/consent/codes.h"
#include "common/consent/consent.h"
#include "tests/support/fake_bearer.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::engine;
using namespace tocsin::testing;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

struct Engine {
  Engine() : policies(policy::parsePolicyConfig(nullptr).value()), zones(makeSystemTimeZones()) { f.approveSender("bakery", "BAKERY"); }

  // The job service, knowing the bearers added so far.
  JobService& jobs() {
    std::vector<BearerEntry> catalogue;
    for (auto& [bearer, minRank, limit] : bearers) catalogue.push_back({bearer->name(), "fake", minRank, limit, {}, {}});
    service = std::make_unique<JobService>(*f.audit, policies, f.clock, catalogue);
    return *service;
  }

  Dispatcher& dispatcher() {
    if (!d) {
      // Its own connection, as in the daemon: the test writes through f.store meanwhile.
      loopStore = f.reopen();
      d = std::make_unique<Dispatcher>(*loopStore, *f.audit, policies, *zones, f.suppressor, f.phones, f.clock, options);
      for (auto& [bearer, minRank, limit] : bearers) d->addBearer(*bearer, minRank, limit);
      REQUIRE(d->start().ok());
    }
    return *d;
  }
  FakeBearer& addBearer(const std::string& name, int minRank = 0, size_t limit = 5) {
    owned.push_back(std::make_unique<FakeBearer>(name));
    bearers.emplace_back(owned.back().get(), minRank, limit);
    return *owned.back();
  }
  void pass(int n = 1) {
    for (int i = 0; i < n; ++i) {
      const auto passed = dispatcher().pass();
      INFO(passed.status().toString());
      REQUIRE(passed.ok());
    }
  }
  ContactId resident(const std::string& phone, const std::string& zone, const std::string& source = "import") {
    ContactDetails details;
    details.zone = zone;
    return f.addContact(phone, details, source);
  }
  JobId alert(const std::string& zone, MessageClass cls = MessageClass::kSevere,
              AlertMode mode = AlertMode::kLive) {
    AlertRequest r;
    r.title = "Flood";
    r.texts = {{"fr", "Crue: quittez les berges."}, {"en", "Flood: leave the riverside."}};
    r.target.zones = {zone};
    r.messageClass = mode == AlertMode::kLive ? cls : MessageClass::kTest;
    r.mode = mode;
    const JobId id = jobs().draftAlert(*f.store, r, "person:alice").value();
    REQUIRE(jobs().approve(*f.store, id, mode == AlertMode::kLive ? "person:bob" : "person:alice").ok());
    return id;
  }
  JobId campaign(const std::string& zone, const std::string& text = "Bonjour {name|client}: -20% on bread today") {
    CampaignRequest r;
    r.shop = "bakery";
    r.title = "Bread";
    r.texts = {{"fr", text}};
    r.target.zones = {zone};
    r.sender = "BAKERY";
    return jobs().createCampaign(*f.store, r, "shop:bakery").value();
  }
  std::string q(const std::string& sql) { return rawQuery(f.dbPath, sql); }
  int64_t count(const std::string& where) { return std::stoll(q("SELECT count(*) FROM messages WHERE " + where)); }
  int64_t audits(const std::string& action) {
    return std::stoll(q("SELECT count(*) FROM audit_log WHERE action = '" + action + "'"));
  }

  StoreFixture f;
  policy::PolicyConfig policies;
  std::unique_ptr<TimeZones> zones;
  std::unique_ptr<JobService> service;
  DispatcherOptions options;
  std::vector<std::unique_ptr<FakeBearer>> owned;
  std::vector<std::tuple<FakeBearer*, int, size_t>> bearers;
  std::unique_ptr<Store> loopStore;
  std::unique_ptr<Dispatcher> d;
};

}  // namespace

TEST_CASE("An approved alert is expanded, sent, accepted, delivered and the job finishes") {
  Engine e;
  auto& smsc = e.addBearer("smsc", 0, 10);
  for (int i = 0; i < 4; ++i) e.resident("0611" + std::to_string(100000 + i), "RIVER");
  e.resident("0622000000", "HILL");
  const JobId job = e.alert("RIVER");
  e.pass(2);  // start + expand, then claim
  REQUIRE(smsc.held.size() == 4);
  CHECK(smsc.held[0].priority == rank(MessageClass::kSevere));
  CHECK(smsc.held[0].networkPriority == 2);
  CHECK(smsc.held[0].text == "Crue: quittez les berges.");  // no language: the first text
  CHECK(smsc.held[0].expiresAt.has_value());
  CHECK(e.count("state = 'submitted'") == 4);
  smsc.acceptAll();
  e.pass();
  CHECK(e.count("state = 'sent' AND carrier_ids LIKE 'smsc-%'") == 4);
  for (const auto& m : smsc.all) smsc.receipt(m.id, DeliveryState::kDelivered);
  e.pass(2);
  CHECK(e.count("state = 'delivered'") == 4);
  CHECK(e.q("SELECT count(*) FROM delivery_reports WHERE status = 'delivered'") == "4");
  CHECK(e.q("SELECT state FROM jobs WHERE id = " + std::to_string(job)) == "done");
  CHECK(e.audits("alert.done") == 1);
  CHECK(e.audits("alert.expanded") == 1);
}

TEST_CASE("A live alert needs a second person, a test alert is marked and its author may release it") {
  Engine e;
  AlertRequest r;
  r.title = "Siren";
  r.texts = {{"en", "Leave now."}};
  r.target.all = true;
  r.messageClass = MessageClass::kExtreme;
  const JobId live = e.jobs().draftAlert(*e.f.store, r, "person:alice").value();
  const Status self = e.jobs().approve(*e.f.store, live, "person:alice");
  CHECK(self.code() == StatusCode::kPermissionDenied);
  CHECK(self.message().find("needs a second person") != std::string::npos);
  // The same person by another channel is still the same person; a machine's credential stands
  // for nobody, neither approver nor drafter.
  CHECK(e.jobs().approve(*e.f.store, live, "person:alice via api:alice-phone").code() == StatusCode::kPermissionDenied);
  CHECK(e.jobs().approve(*e.f.store, live, "cli:root").message().find("named person") != std::string::npos);
  CHECK(e.jobs().approve(*e.f.store, live, "person:bob via cli:bob").ok());
  CHECK(e.jobs().approve(*e.f.store, live, "person:carol").code() == StatusCode::kFailedPrecondition);
  const JobId byMachine = e.jobs().draftAlert(*e.f.store, r, "api:feed").value();
  CHECK(e.jobs().approve(*e.f.store, byMachine, "person:bob").message().find("not a named person") != std::string::npos);

  r.mode = AlertMode::kTest;
  CHECK(e.jobs().draftAlert(*e.f.store, r, "person:alice").status().message().find("must have the test class") != std::string::npos);
  r.messageClass = MessageClass::kTest;
  const JobId test = e.jobs().draftAlert(*e.f.store, r, "person:alice").value();
  CHECK(e.jobs().approve(*e.f.store, test, "person:alice").ok());
  CHECK(e.q("SELECT body FROM jobs WHERE id = " + std::to_string(test)) == R"([["en","TEST: Leave now. No action is needed."]])");
  r.mode = AlertMode::kLive;
  CHECK_FALSE(e.jobs().draftAlert(*e.f.store, r, "person:alice").ok());  // the test class is for tests only
}

TEST_CASE("Alerts pre-empt promotions on every bearer at once, promotions resume by themselves") {
  Engine e;
  auto& smsc = e.addBearer("smsc", 0, 3);
  auto& modems = e.addBearer("modems", 0, 2);
  std::vector<ContactId> shoppers;
  for (int i = 0; i < 12; ++i) {
    shoppers.push_back(e.resident("0633" + std::to_string(100000 + i), "MARKET", "kiosk"));
    e.f.giveConsent(shoppers.back(), "promotions:bakery");
  }
  e.resident("0644000001", "RIVER");
  e.resident("0644000002", "RIVER");
  e.campaign("MARKET");
  e.pass(2);
  // Promotions are bounded by each bearer's limit.
  CHECK(smsc.held.size() == 3);
  CHECK(modems.held.size() == 2);
  e.alert("RIVER");
  e.pass(2);
  // The alert goes out on both bearers' headroom although promotions fill their limits...
  size_t alerts = 0;
  for (auto* b : {&smsc, &modems})
    for (const auto& m : b->held) alerts += m.priority > 0;
  CHECK(alerts == 2);
  CHECK(e.audits("promotions.pause") == 1);
  // ...and while it is on its way no promotion is claimed, even with room.
  smsc.acceptAll();
  modems.failAll(FailureKind::kRetryable, "throttled");
  e.pass(2);
  CHECK(smsc.held.empty());
  CHECK(modems.held.empty());
  CHECK(e.dispatcher().stats().promotionsPaused);
  // Alerts out (the one that failed waits for its retry)... once it is sent, promotions resume.
  e.f.clock.advance(seconds(3));
  e.pass(2);
  REQUIRE(smsc.held.size() + modems.held.size() == 1);
  smsc.acceptAll();
  modems.acceptAll();
  e.pass(2);
  CHECK(e.audits("promotions.resume") == 1);
  CHECK(smsc.held.size() + modems.held.size() == 5);
  CHECK_FALSE(e.dispatcher().stats().promotionsPaused);
}

TEST_CASE("A bearer reserved for alerts never carries promotions, an unhealthy bearer gets nothing") {
  Engine e;
  auto& smsc = e.addBearer("smsc", 0, 10);
  auto& modems = e.addBearer("modems", 2, 10);
  auto& down = e.addBearer("backup", 0, 10);
  down.healthNow = {BearerState::kDown, "connection refused"};
  const ContactId c = e.resident("0633000001", "MARKET", "kiosk");
  e.f.giveConsent(c, "promotions:bakery");
  for (int i = 0; i < 6; ++i) e.resident("0644" + std::to_string(100000 + i), "RIVER");
  e.campaign("MARKET");
  e.pass(2);
  CHECK(smsc.held.size() == 1);
  CHECK(modems.held.empty());
  smsc.acceptAll();
  e.alert("RIVER");
  e.pass(3);
  CHECK(smsc.held.size() + modems.held.size() == 6);
  CHECK_FALSE(smsc.held.empty());
  CHECK_FALSE(modems.held.empty());  // alerts fan out over every healthy bearer
  CHECK(down.all.empty());
}

TEST_CASE("Retryable failures wait with backoff and try again, after the limit the message fails with the reason") {
  Engine e;
  e.options.maxAttempts = 3;
  auto& smsc = e.addBearer("smsc", 0, 10);
  e.resident("0611000001", "RIVER");
  e.alert("RIVER");
  e.pass(2);
  REQUIRE(smsc.held.size() == 1);
  smsc.failAll(FailureKind::kRetryable, "ESME_RTHROTTLED");
  e.pass();
  CHECK(e.count("state = 'waiting' AND attempts = 1") == 1);
  CHECK(e.q("SELECT last_error FROM messages") == "attempt 1 on smsc failed: ESME_RTHROTTLED; trying again");
  e.pass();
  CHECK(smsc.held.empty());  // not before its time
  e.f.clock.advance(seconds(2));
  e.pass(2);
  REQUIRE(smsc.held.size() == 1);
  smsc.failAll(FailureKind::kRetryable, "ESME_RTHROTTLED");
  e.pass();
  e.f.clock.advance(seconds(4));
  e.pass(2);
  REQUIRE(smsc.held.size() == 1);
  smsc.failAll(FailureKind::kRetryable, "link dropped");
  e.pass();
  CHECK(e.count("state = 'failed' AND attempts = 3") == 1);
  CHECK(e.q("SELECT last_error FROM messages") == "gave up after 3 attempts; the last, on smsc: link dropped");
}

TEST_CASE("A permanent failure ends the message with the carrier's reason") {
  Engine e;
  auto& smsc = e.addBearer("smsc");
  e.resident("0611000001", "RIVER");
  e.alert("RIVER");
  e.pass(2);
  smsc.failAll(FailureKind::kPermanent, "rejected: ESME_RINVDSTADR");
  e.pass();
  CHECK(e.q("SELECT state || ': ' || last_error FROM messages") == "failed: smsc: rejected: ESME_RINVDSTADR");
}

TEST_CASE("After a crash, messages a bearer held come back to the queue and are sent again, once") {
  Engine e;
  auto& smsc = e.addBearer("smsc", 0, 10);
  for (int i = 0; i < 3; ++i) e.resident("0611" + std::to_string(100000 + i), "RIVER");
  e.alert("RIVER");
  e.pass(2);
  REQUIRE(smsc.held.size() == 3);
  smsc.acceptAll(1);
  e.pass();
  // The broadcaster dies: two messages were in the bearer's hands with no answer recorded.
  e.d.reset();
  smsc.held.clear();
  e.pass(1);  // a new dispatcher: start() requeues, then this pass claims them again
  CHECK(e.dispatcher().stats().recovered == 2);
  CHECK(smsc.held.size() == 2);
  CHECK(e.count("state = 'submitted' AND attempts = 2") == 2);
  CHECK(e.audits("broadcaster.start") == 2);
  smsc.acceptAll();
  e.pass(2);
  CHECK(e.count("state = 'sent'") == 3);
}

TEST_CASE("Promotions outside legal hours wait for the next window and then leave") {
  Engine e;
  auto& smsc = e.addBearer("smsc");
  const ContactId c = e.resident("0633000001", "MARKET", "kiosk");
  e.f.giveConsent(c, "promotions:bakery");
  e.f.clock.setWall(parseTimestamp("2026-11-22T10:00:00Z").value());  // a Sunday in Paris
  e.campaign("MARKET");
  e.pass(2);
  CHECK(smsc.held.empty());
  CHECK(e.count("state = 'waiting' AND attempts = 0") == 1);
  CHECK(e.q("SELECT last_error FROM messages").find("outside promotional hours in FR (sun 11:00 Europe/Paris)") != std::string::npos);
  CHECK(e.q("SELECT not_before FROM messages") == std::to_string(toMicros(parseTimestamp("2026-11-23T07:00:00Z").value())));
  e.f.clock.setWall(parseTimestamp("2026-11-23T07:00:01Z").value());
  e.pass(2);
  REQUIRE(smsc.held.size() == 1);
  // BAKERY cannot take replies and no bearer has a reply number for FR: the kiosk way to stop.
  CHECK(smsc.held[0].text == "Bonjour client: -20% on bread today\nStop: borne de bakery");
  CHECK(smsc.held[0].sender == "BAKERY");
}

TEST_CASE("Promotions are refused at send time when consent was withdrawn after the fan-out") {
  Engine e;
  auto& smsc = e.addBearer("smsc", 0, 1);
  const ContactId a = e.resident("0633000001", "MARKET", "kiosk");
  const ContactId b = e.resident("0633000002", "MARKET", "kiosk");
  e.f.giveConsent(a, "promotions:bakery");
  e.f.giveConsent(b, "promotions:bakery");
  e.campaign("MARKET");
  e.pass(2);
  REQUIRE(smsc.held.size() == 1);
  e.f.write([&](StoreTx& tx, AuditRecorder& rec) {
    return consent::withdraw(tx, rec, b, {"promotions:bakery", "fr", "sms:smsc", "sms-keyword", {}}).status();
  });
  smsc.acceptAll();
  e.pass(2);
  CHECK(smsc.held.empty());
  CHECK(e.q("SELECT last_error FROM messages WHERE contact_id = " + std::to_string(b)).rfind("consent for promotions:bakery withdrawn", 0) == 0);
  CHECK(e.count("state = 'refused' AND attempts = 0") == 1);
}

TEST_CASE("Fan-out: zones and shapes, enrolment rules, opt-outs refused with the reason") {
  Engine e;
  ContactDetails inCircle, outside;
  inCircle.latitude = 43.300;
  inCircle.longitude = 5.400;
  outside.latitude = 45.0;
  outside.longitude = 5.4;
  const ContactId near = e.f.addContact("0611000001", inCircle, "import");
  e.f.addContact("0611000002", outside, "import");
  const ContactId kioskOnly = e.f.addContact("0611000003", inCircle, "kiosk");
  const ContactId optedOut = e.f.addContact("0611000004", inCircle, "import");
  e.f.giveConsent(optedOut, "alerts");
  e.f.write([&](StoreTx& tx, AuditRecorder& rec) {
    return consent::withdraw(tx, rec, optedOut, {"alerts", "fr", "sms:smsc", "sms-keyword", {}}).status();
  });
  e.addBearer("smsc", 0, 100);
  AlertRequest r;
  r.title = "Gas leak";
  r.texts = {{"fr", "Fuite de gaz: restez chez vous."}};
  r.target.circles = {{43.3, 5.4, 2.0}};
  r.messageClass = MessageClass::kSevere;
  const JobId job = e.jobs().draftAlert(*e.f.store, r, "person:alice").value();
  REQUIRE(e.jobs().approve(*e.f.store, job, "person:bob").ok());
  e.pass(2);
  CHECK(e.count("contact_id = " + std::to_string(near) + " AND state = 'submitted'") == 1);
  CHECK(e.count("contact_id = " + std::to_string(kioskOnly)) == 0);
  CHECK(e.q("SELECT state || ': ' || last_error FROM messages WHERE contact_id = " + std::to_string(optedOut))
            .rfind("refused: opted out of public alerts on ", 0) == 0);
  CHECK(e.count("TRUE") == 2);
  // A national alert reaches everyone in the area; nobody can opt out of it.
  r.messageClass = MessageClass::kNational;
  const JobId national = e.jobs().draftAlert(*e.f.store, r, "person:alice").value();
  REQUIRE(e.jobs().approve(*e.f.store, national, "person:bob").ok());
  e.pass(2);
  CHECK(e.count("job_id = " + std::to_string(national)) == 3);
  CHECK(e.count("job_id = " + std::to_string(national) + " AND state = 'refused'") == 0);
}

TEST_CASE("Cancelling a campaign cancels what has not left, an expired alert is not sent") {
  Engine e;
  auto& smsc = e.addBearer("smsc", 0, 1);
  for (int i = 0; i < 3; ++i) {
    const ContactId c = e.resident("0633" + std::to_string(100000 + i), "MARKET", "kiosk");
    e.f.giveConsent(c, "promotions:bakery");
  }
  const JobId job = e.campaign("MARKET");
  e.pass(2);
  REQUIRE(smsc.held.size() == 1);
  REQUIRE(e.jobs().cancel(*e.f.store, job, "shop:bakery", "wrong price").ok());
  smsc.acceptAll();
  e.pass(2);
  CHECK(e.count("state = 'cancelled'") == 2);
  CHECK(e.count("state = 'sent'") == 1);

  e.resident("0611000001", "RIVER");
  AlertRequest r;
  r.title = "Short";
  r.texts = {{"en", "Storm now."}};
  r.target.zones = {"RIVER"};
  r.messageClass = MessageClass::kSevere;
  r.expiresAt = e.f.clock.now() + minutes(10);
  const JobId alert = e.jobs().draftAlert(*e.f.store, r, "person:alice").value();
  REQUIRE(e.jobs().approve(*e.f.store, alert, "person:bob").ok());
  smsc.refuse = true;  // the bearer will not take it
  e.pass(2);
  smsc.refuse = false;
  e.f.clock.advance(minutes(11));
  e.pass(3);
  CHECK(e.q("SELECT state FROM messages WHERE job_id = " + std::to_string(alert)) == "expired");
}

TEST_CASE("STOP withdraws promotions with one confirmation, HELP is answered, a code confirms a sign-up") {
  Engine e;
  auto& smsc = e.addBearer("smsc", 0, 10);
  const ContactId c = e.resident("0633000001", "MARKET", "kiosk");
  e.f.giveConsent(c, "promotions:bakery");
  e.dispatcher();
  smsc.incoming("+33633000001", "Stop!");
  e.pass(2);
  CHECK(e.q("SELECT state FROM consent_state WHERE contact_id = " + std::to_string(c)) == "withdrawn");
  REQUIRE(smsc.held.size() == 1);
  CHECK(smsc.held[0].destination == "+33633000001");
  CHECK(smsc.held[0].priority == rank(MessageClass::kTransactional));
  CHECK(smsc.held[0].text.rfind("Vous ne recevrez plus", 0) == 0);
  CHECK(e.q("SELECT intent || ': ' || outcome FROM incoming_messages") == "stop: withdrew promotions:bakery");
  smsc.acceptAll();
  smsc.incoming("+33633000001", "STOP");  // again: no second confirmation
  e.pass(2);
  CHECK(smsc.held.empty());
  smsc.incoming("+33699999999", "aide");
  e.pass(2);
  REQUIRE(smsc.held.size() == 1);
  CHECK(smsc.held[0].text.rfind("Messages Tocsin", 0) == 0);
  smsc.acceptAll();

  // A kiosk sign-up waiting for its code (one sent before sign-ups waited for theirs, so its
  // grant is recorded already); the person answers it by SMS.
  const ContactId newcomer = e.resident("0655000001", "MARKET", "kiosk");
  e.f.giveConsent(newcomer, "promotions:bakery", false);
  e.f.write([&](StoreTx& tx, AuditRecorder&) {
    SignupRecord s;
    s.phone = "+33655000001";
    s.texts = {{"promotions:bakery", "", 0}};
    s.legacyContact = newcomer;
    s.codeHash = confirmationCodeHash(newcomer, "482913");
    s.channel = "kiosk:K-01";
    s.language = "fr";
    s.createdAt = e.f.clock.now();
    s.expiresAt = e.f.clock.now() + minutes(15);
    tx.signups().add(s);
    return Status::okStatus();
  });
  smsc.incoming("+33655000001", "123456");
  e.pass(2);
  CHECK(e.q("SELECT outcome FROM incoming_messages ORDER BY id DESC LIMIT 1") == "wrong code");
  smsc.incoming("+33655000001", "OUI 482913");
  e.pass(2);
  CHECK(e.q("SELECT state FROM consent_state WHERE contact_id = " + std::to_string(newcomer)) == "confirmed");
  CHECK(e.q("SELECT method FROM consent_events WHERE contact_id = " + std::to_string(newcomer) + " ORDER BY id DESC LIMIT 1") ==
        "sms-reply-code");
  REQUIRE(smsc.held.size() == 1);
  CHECK(smsc.held[0].text.rfind("Merci", 0) == 0);
  smsc.acceptAll();
  CHECK(e.audits("sms.incoming") == 5);

  // The same person later asks at the kiosk to stop the bakery's offers and answers that code by
  // SMS: the withdrawal is confirmed as a STOP is, not thanked as a sign-up.
  e.f.write([&](StoreTx& tx, AuditRecorder&) {
    SignupRecord s;
    s.phone = "+33655000001";
    s.texts = {{"promotions:bakery", "", 0}};
    s.withdrawal = true;
    s.channel = "kiosk:K-01";
    s.language = "fr";
    s.createdAt = e.f.clock.now();
    s.expiresAt = e.f.clock.now() + minutes(15);
    const int64_t id = tx.signups().add(s);
    tx.signups().setCodeHash(id, confirmationCodeHash(id, "551177"));
    return Status::okStatus();
  });
  smsc.incoming("+33655000001", "551177");
  e.pass(2);
  CHECK(e.q("SELECT state FROM consent_state WHERE contact_id = " + std::to_string(newcomer)) == "withdrawn");
  REQUIRE(smsc.held.size() == 1);
  CHECK(smsc.held[0].text.rfind("Vous ne recevrez plus", 0) == 0);
  smsc.acceptAll();
  CHECK(e.q("SELECT count(*) FROM audit_log WHERE reason LIKE '%+336%'") == "0");
}

namespace {

// A store that refuses the Nth write (a full disk, an I/O error), then works again.
class FailingStore final : public Store {
 public:
  explicit FailingStore(Store& inner) : inner_(inner) {}
  Status read(const Body& body) override { return inner_.read(body); }
  Status write(const Body& body) override {
    if (failNext_) {
      failNext_ = false;
      // Run the body for real, then roll it back as a failed commit would.
      (void)inner_.write([&](StoreTx& tx) {
        (void)body(tx);
        return Status::ioError("disk full");
      });
      return Status::ioError("disk full");
    }
    return inner_.write(body);
  }
  StoreInfo info() const override { return inner_.info(); }
  Status compact() override { return inner_.compact(); }
  Result<uint64_t> changeCount() override { return inner_.changeCount(); }
  void failNextWrite() { failNext_ = true; }

 private:
  Store& inner_;
  bool failNext_ = false;
};

}  // namespace

TEST_CASE("A pass whose commit fails hands nothing over and loses no event: the next pass applies them") {
  StoreFixture f;
  FailingStore store(*f.store);
  const auto policies = policy::parsePolicyConfig(nullptr).value();
  const auto zones = makeSystemTimeZones();
  const JobService jobs(*f.audit, policies, f.clock, {});
  FakeBearer smsc("smsc");
  Dispatcher d(store, *f.audit, policies, *zones, f.suppressor, f.phones, f.clock);
  d.addBearer(smsc, 0, 10);
  REQUIRE(d.start().ok());
  ContactDetails river;
  river.zone = "RIVER";
  f.addContact("0611000001", river, "import");
  f.addContact("0611000002", river, "import");
  AlertRequest r;
  r.title = "Flood";
  r.texts = {{"en", "Leave."}};
  r.target.zones = {"RIVER"};
  r.messageClass = MessageClass::kSevere;
  const JobId job = jobs.draftAlert(store, r, "person:alice").value();
  REQUIRE(jobs.approve(store, job, "person:bob").ok());
  store.failNextWrite();
  CHECK_FALSE(d.pass().ok());  // would have expanded and claimed both
  CHECK(smsc.held.empty());
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM messages") == "0");
  CHECK(rawQuery(f.dbPath, "SELECT state FROM jobs") == "approved");
  REQUIRE(d.pass().ok());
  REQUIRE(smsc.held.size() == 2);
  smsc.acceptAll();
  store.failNextWrite();
  CHECK_FALSE(d.pass().ok());  // the acceptances are not recorded...
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM messages WHERE state = 'sent'") == "0");
  REQUIRE(d.pass().ok());      // ...until the next pass
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM messages WHERE state = 'sent'") == "2");
  CHECK(d.stats().sent == 2);
}

TEST_CASE("A job's bearers are checked when it is drafted and are the only ones it goes out through") {
  Engine e;
  auto& smsc = e.addBearer("smsc", 0, 10);
  auto& modems = e.addBearer("modems", 2, 10);
  for (int i = 0; i < 4; ++i) e.resident("0611" + std::to_string(100000 + i), "RIVER");
  AlertRequest r;
  r.title = "Flood";
  r.texts = {{"en", "Leave the riverside."}};
  r.target.zones = {"RIVER"};
  r.messageClass = MessageClass::kSevere;
  r.bearers = {"radio"};
  const auto unknown = e.jobs().draftAlert(*e.f.store, r, "person:alice");
  CHECK(unknown.status().code() == StatusCode::kInvalidArgument);
  CHECK(unknown.status().message().find("no bearer is named 'radio' (configured: smsc, modems)") != std::string::npos);
  CampaignRequest c;
  c.shop = "bakery";
  c.title = "Bread";
  c.texts = {{"en", "Bread"}};
  c.target.all = true;
  c.bearers = {"modems"};
  CHECK(e.jobs().createCampaign(*e.f.store, c, "shop:bakery").status().message().find("does not carry promotional") !=
        std::string::npos);

  r.bearers = {"modems"};
  const JobId onModems = e.jobs().draftAlert(*e.f.store, r, "person:alice").value();
  REQUIRE(e.jobs().approve(*e.f.store, onModems, "person:bob").ok());
  e.pass(2);
  CHECK(modems.held.size() == 4);
  CHECK(smsc.held.empty());  // room there, but not chosen

  // The chosen bearer down: the job waits for it without holding up another alert behind it.
  modems.healthNow = {BearerState::kDown, "unplugged"};
  modems.failAll(FailureKind::kRetryable, "modem unplugged");
  e.pass();  // recorded: each waits for its retry
  e.f.clock.advance(minutes(1));
  r.bearers.clear();
  r.target.zones = {"HILL"};
  e.resident("0622000000", "HILL");
  const JobId anywhere = e.jobs().draftAlert(*e.f.store, r, "person:alice").value();
  REQUIRE(e.jobs().approve(*e.f.store, anywhere, "person:bob").ok());
  e.pass(3);
  REQUIRE(smsc.held.size() == 1);
  CHECK(jobOfMessage(smsc.held[0].id) == anywhere);
  CHECK(e.count("job_id = " + std::to_string(onModems) + " AND state = 'queued'") == 4);
  modems.healthNow = {BearerState::kUp, "up"};
  e.pass();
  CHECK(modems.held.size() == 4);
}

TEST_CASE("An idle dispatcher sleeps on the clock and writes nothing, a wake-up, a bearer or another process's write rouses it") {
  Engine e;
  auto& smsc = e.addBearer("smsc", 0, 10);
  e.resident("0611000001", "RIVER");
  Dispatcher& d = e.dispatcher();
  auto other = e.f.reopen();  // another process's connection: it sees every commit of the loop's
  std::atomic<bool> stopping{false};
  std::thread loop([&] { d.run(stopping, seconds(0)); });
  e.f.clock.waitForSleepers(1);
  // Ten idle minutes, second by second: the fallback poll reads a counter, nothing is written.
  e.f.clock.advance(seconds(2));  // past the first status publication
  e.f.clock.waitForSleepers(1);
  const uint64_t passes = d.stats().passes;
  const uint64_t version = other->changeCount().value();
  for (int i = 0; i < 600; ++i) {
    e.f.clock.advance(seconds(1));
    e.f.clock.waitForSleepers(1);
  }
  CHECK(d.stats().passes == passes);
  CHECK(other->changeCount().value() == version);

  // Another process approves an alert and does not wake the loop: the poll finds it.
  const JobId a = e.alert("RIVER");
  e.f.clock.advance(seconds(1));
  smsc.waitForHanded(1);
  // A bearer event (its answer) wakes it at once, with no time passing.
  smsc.acceptAll();
  while (d.stats().sent < 1) e.f.clock.waitForSleepers(1);
  stopping = true;
  d.wake();
  loop.join();
  CHECK(e.count("job_id = " + std::to_string(a) + " AND state = 'sent'") == 1);
}

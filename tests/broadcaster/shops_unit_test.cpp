// The parts of shops that need no daemon: links found and replaced in a text, short-link codes,
// the STOP footer chosen by the reply path, credits reserved, renewed each month and settled,
// link records purged by retention while the counts stay.
#include <catch2/catch.hpp>

#include <set>

#include "broadcaster/engine/shops.h"
#include "common/base/time.h"
#include "common/privacy/retention.h"
#include "policies/policy_config.h"
#include "policies/retention.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::engine;
using namespace tocsin::testing;

namespace {

Shop shopWith(CreditMode mode, int64_t balance, int64_t low = 0) {
  Shop s;
  s.id = "bakery";
  s.name = "Boulangerie Martin";
  s.country = "FR";
  s.state = ShopState::kActive;
  s.creditMode = mode;
  s.balance = balance;
  s.lowBalance = low;
  s.createdBy = "test";
  return s;
}

}  // namespace

TEST_CASE("Shops: links in a text are found up to a space, without a sentence's closing mark") {
  const std::string text = "Menu: https://bakery.example/menu?x=1. Et http://old.example, puis rien https:// ici.";
  CHECK(findUrls(text) == std::vector<std::string>{"https://bakery.example/menu?x=1", "http://old.example"});
  CHECK(replaceUrls(text, [](const std::string&) { return std::string("S"); }) == "Menu: S. Et S, puis rien https:// ici.");
  CHECK(findUrls("no link here").empty());
}

TEST_CASE("Shops: short-link codes are random letters and digits of the asked length") {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string code = newLinkCode(8).value();
    REQUIRE(code.size() == 8);
    for (char c : code) CHECK(std::isalnum(static_cast<unsigned char>(c)));
    seen.insert(code);
  }
  CHECK(seen.size() == 2000);
  CHECK(newLinkCode(12).value().size() == 12);
}

TEST_CASE("Shops: the STOP footer names the reply number, else says reply STOP, else names the kiosk") {
  const auto policies = policy::parsePolicyConfig(nullptr).value();
  Shop shop = shopWith(CreditMode::kBalance, 0);
  CHECK(policy::stopFooterFor(policies, "fr", {std::string("36173"), false, "Martin"}) == "STOP au 36173");
  CHECK(policy::stopFooterFor(policies, "en", {std::nullopt, true, "Martin"}) == "Reply STOP to opt out");
  CHECK(policy::stopFooterFor(policies, "fr", {std::nullopt, false, "Martin"}) == "Stop: borne de Martin");
  CHECK(policy::senderTakesReplies(std::nullopt));
  CHECK(policy::senderTakesReplies(std::string("+33612345678")));
  CHECK_FALSE(policy::senderTakesReplies(std::string("MARTIN")));
  // From the bearers: the first one carrying promotions with a number for the country.
  BearerEntry alerts{"modems", "modem_bank", kAlertRank, 2, {}, {{"FR", "0611111111"}}};
  BearerEntry carrier{"carrier", "smpp", 0, 8, {}, {{"FR", "36173"}, {"BE", "8811"}}};
  const std::vector<BearerEntry> bearers{alerts, carrier};
  CHECK(stopRouteFor(shop, std::string("MARTIN"), bearers, {}, "FR").number == std::optional<std::string>("36173"));
  CHECK(stopRouteFor(shop, std::string("MARTIN"), bearers, {}, "DE").number == std::nullopt);
  CHECK(stopRouteFor(shop, std::string("MARTIN"), bearers, {"modems"}, "FR").number == std::nullopt);
  // A numeric sender takes the replies itself.
  CHECK(stopRouteFor(shop, std::string("+33700000000"), bearers, {}, "DE").number == std::optional<std::string>("+33700000000"));
  CHECK(stopRouteFor(shop, std::string("MARTIN"), bearers, {}, "DE").shop == "Boulangerie Martin");
}

TEST_CASE("Shops: a reservation beyond the balance is refused naming the shortfall and changes nothing") {
  StoreFixture f;
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    Shop s = shopWith(CreditMode::kBalance, 10);
    s.createdAt = rec.now();
    tx.shops().saveShop(s);
    return Status::okStatus();
  });
  const Status refused = f.audit->write(*f.store, "test", [&](StoreTx& tx, AuditRecorder& rec) {
    Shop s = *tx.shops().findShop("bakery");
    return reserveCredits(tx, rec, s, 7, 12, "test");
  });
  CHECK(refused.code() == StatusCode::kNoCredits);
  CHECK(refused.message().find("has 10 SMS parts; this needs 12: 2 short") != std::string::npos);
  CHECK(rawQuery(f.dbPath, "SELECT balance FROM shops") == "10");
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM job_credits") == "0");
}

TEST_CASE("Shops: a monthly quota is renewed when a month begins, what running jobs hold staying reserved") {
  StoreFixture f;
  f.clock.setWall(parseTimestamp("2026-11-20T10:00:00Z").value());
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    Shop s = shopWith(CreditMode::kQuota, 100);
    s.monthlyQuota = 100;
    s.quotaMonth = "2026-11";
    s.createdAt = rec.now();
    tx.shops().saveShop(s);
    return reserveCredits(tx, rec, s, 1, 30, "test");
  });
  CHECK(rawQuery(f.dbPath, "SELECT balance FROM shops") == "70");
  f.clock.setWall(parseTimestamp("2026-12-01T00:00:01Z").value());
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    Shop s = *tx.shops().findShop("bakery");
    return reserveCredits(tx, rec, s, 2, 10, "test");
  });
  // December: 100, less job 1's 30 still held (so the renewal itself moves nothing here), less job 2's 10.
  CHECK(rawQuery(f.dbPath, "SELECT balance || ' ' || quota_month FROM shops") == "60 2026-12");
  CHECK(rawQuery(f.dbPath, "SELECT group_concat(kind || ':' || parts, ' ') FROM credit_entries") == "reserve:-30 quota:0 reserve:-10");
}

TEST_CASE("Shops: settling charges the parts the network took and refunds the rest, once, and under the threshold the owner is told") {
  StoreFixture f;
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    Shop s = shopWith(CreditMode::kBalance, 20, 15);
    s.ownerPhone = "+33612000099";
    s.createdAt = rec.now();
    tx.shops().saveShop(s);
    return reserveCredits(tx, rec, s, 5, 8, "test");
  });
  // 20 - 8 = 12 is under 15: one SMS to the owner, one webhook event.
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM jobs WHERE kind = 'transactional' AND title LIKE 'low balance%'") == "1");
  CHECK(rawQuery(f.dbPath, "SELECT low_alerted FROM shops") == "1");
  // Job 5's messages: 2 delivered (2 parts each), 1 sent, 1 failed, 1 refused.
  const std::string now = std::to_string(toMicros(f.clock.now()));
  rawSql(f.dbPath, "INSERT INTO messages (id, job_id, rank, state, parts, created_at, updated_at) VALUES "
                   "((CAST(5 AS BIGINT) << 32) + 1, 5, 0, 'delivered', 2, " + now + ", " + now + "), ((CAST(5 AS BIGINT) << 32) + 2, 5, 0, 'delivered', 2, " + now +
                       ", " + now + "), ((CAST(5 AS BIGINT) << 32) + 3, 5, 0, 'sent', 1, " + now + ", " + now + "), ((CAST(5 AS BIGINT) << 32) + 4, 5, 0, 'failed', 2, " +
                       now + ", " + now + "), ((CAST(5 AS BIGINT) << 32) + 5, 5, 0, 'refused', NULL, " + now + ", " + now + ")");
  bool changed = false;
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    changed = settleCredits(tx, rec, 5, true);
    return Status::okStatus();
  });
  CHECK(changed);
  CHECK(rawQuery(f.dbPath, "SELECT reserved || ' ' || charged || ' ' || refunded || ' ' || final FROM job_credits") == "0 5 3 1");
  CHECK(rawQuery(f.dbPath, "SELECT balance FROM shops") == "15");
  // Back at the threshold: the alert is re-armed; settling again does nothing.
  CHECK(rawQuery(f.dbPath, "SELECT low_alerted FROM shops") == "0");
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    changed = settleCredits(tx, rec, 5, true);
    return Status::okStatus();
  });
  CHECK_FALSE(changed);
  CHECK(rawQuery(f.dbPath, "SELECT balance FROM shops") == "15");
}

TEST_CASE("Shops: retention deletes link records after their period and keeps each campaign's counts") {
  StoreFixture f;
  const Timestamp made = f.clock.now();
  f.write([&](StoreTx& tx, AuditRecorder&) {
    tx.shops().insertLink(LinkRecord{"AAAAAAAA", 3, 1, "https://bakery.example/a", made});
    tx.shops().insertLink(LinkRecord{"BBBBBBBB", 3, 2, "https://bakery.example/a", made});
    tx.shops().recordClicks({{"AAAAAAAA", made}, {"AAAAAAAA", made}, {"BBBBBBBB", made}, {"ZZZZZZZZ", made}});
    return Status::okStatus();
  });
  f.clock.advance(std::chrono::hours(24 * 91));
  RetentionConfig config;
  RetentionSweeper sweeper(*f.store, *f.audit, f.suppressor);
  const auto report = sweeper.sweep(policy::retentionCutoffs(config, f.clock.now()), "test");
  REQUIRE(report.ok());
  CHECK(report->links == 2);
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM links") == "0");
  CHECK(rawQuery(f.dbPath, "SELECT links || ' ' || clicks || ' ' || clicked FROM job_clicks WHERE job_id = 3") == "2 3 2");
}

// The groundwork of the store on PostgreSQL, against real servers started here (pg_cluster.h):
// schema migrations from several nodes at once, transactions, and a failover from a primary to
// its synchronous standby with nothing acknowledged lost.
#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "common/base/clock.h"
#include "common/store/postgres.h"
#include "tests/support/pg_cluster.h"

using namespace tocsin;
using tocsin::testing::PgServer;

namespace {

const std::vector<pg::Migration> kSteps = {
    {1, "a table", "CREATE TABLE items (id bigint PRIMARY KEY, note text NOT NULL)"},
    {2, "an index and a column", "ALTER TABLE items ADD COLUMN at timestamptz; CREATE INDEX items_at ON items(at)"},
};

std::unique_ptr<pg::Connection> connect(const std::string& conninfo, Clock& clock) {
  auto c = pg::Connection::open(conninfo, clock);
  INFO(c.status().message());
  REQUIRE(c.ok());
  return std::move(*c);
}

}  // namespace

TEST_CASE("PostgreSQL is installed where the tests run (scripts/install-deps installs it)") {
  REQUIRE_FALSE(PgServer::binDir().empty());
}

TEST_CASE("On PostgreSQL the schema migrates forward once from two nodes at once, and a newer schema is refused") {
  auto server = PgServer::primary();
  SystemClock clock;
  std::atomic<int> failures{0};
  std::vector<std::thread> nodes;
  for (int i = 0; i < 2; ++i)
    nodes.emplace_back([&] {
      auto c = pg::Connection::open(server->conninfo(), clock);
      if (!c.ok() || !pg::migrate(**c, kSteps).ok()) ++failures;
    });
  for (auto& t : nodes) t.join();
  CHECK(failures == 0);
  auto c = connect(server->conninfo(), clock);
  CHECK(*pg::schemaVersion(*c) == 2);
  CHECK(server->query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'items'") == "3");
  REQUIRE(pg::migrate(*c, kSteps).ok());  // nothing left to do
  server->query("UPDATE tocsin_schema SET version = 7");
  const Status refused = pg::migrate(*c, kSteps);
  CHECK(refused.code() == StatusCode::kFailedPrecondition);
  CHECK(refused.message().find("made by a newer Tocsin") != std::string::npos);
  CHECK(server->query("SELECT version FROM tocsin_schema") == "7");
}

TEST_CASE("On PostgreSQL a transaction commits whole or not at all, and an SQL error names its statement") {
  auto server = PgServer::primary();
  SystemClock clock;
  auto c = connect(server->conninfo(), clock);
  REQUIRE(pg::migrate(*c, kSteps).ok());
  REQUIRE(c->transaction([](pg::Tx& tx) -> Status {
    TOCSIN_RETURN_IF_ERROR(tx.exec("INSERT INTO items (id, note) VALUES ($1, $2)", {"1", "first"}).status());
    return tx.exec("INSERT INTO items (id, note) VALUES ($1, $2)", {"2", std::nullopt}).status();
  }).code() == StatusCode::kInternal);
  CHECK(server->query("SELECT count(*) FROM items") == "0");  // the first insert was rolled back too
  const Status dup = c->transaction([](pg::Tx& tx) -> Status {
    TOCSIN_RETURN_IF_ERROR(tx.exec("INSERT INTO items (id, note) VALUES (1, 'a')").status());
    return tx.exec("INSERT INTO items (id, note) VALUES (1, 'b')").status();
  });
  CHECK(dup.message().find("'INSERT INTO items (id, note) VALUES (1, 'b')' failed") != std::string::npos);
  CHECK(dup.message().find("duplicate key") != std::string::npos);
  auto rows = c->exec("SELECT count(*) FROM items");
  REQUIRE(rows.ok());
  CHECK(rows->integer(0, 0) == 0);
  // A body's own error rolls back and comes back unchanged.
  CHECK(c->transaction([](pg::Tx& tx) -> Status {
    TOCSIN_RETURN_IF_ERROR(tx.exec("INSERT INTO items (id, note) VALUES (3, 'c')").status());
    return Status::invalid("changed my mind");
  }).message() == "changed my mind");
  CHECK(server->query("SELECT count(*) FROM items") == "0");
}

TEST_CASE("PostgreSQL failover: every transaction acknowledged before the primary died is on the promoted standby") {
  auto primary = PgServer::primary();
  auto standby = primary->standby();
  SystemClock clock;
  auto c = connect(PgServer::failoverConninfo(*primary, *standby), clock);
  REQUIRE(c->server() == "127.0.0.1:" + std::to_string(primary->port()));
  REQUIRE(pg::migrate(*c, kSteps).ok());

  // The writer commits one row per transaction while, meanwhile, the primary's machine dies and
  // the operator promotes the standby.
  std::atomic<int> acknowledged{0};
  std::thread operatorOnCall([&] {
    while (acknowledged < 150) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    primary->kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    standby->promote();
  });
  std::set<int> committed, unknown;
  for (int id = 1; id <= 400; ++id) {
    const Status st = c->transaction([&](pg::Tx& tx) -> Status {
      return tx.exec("INSERT INTO items (id, note) VALUES ($1, 'flood') ON CONFLICT (id) DO NOTHING",
                     {std::to_string(id)}).status();
    });
    if (st.ok()) {
      committed.insert(id);
      ++acknowledged;
    } else {
      INFO(st.message());
      REQUIRE(st.code() == StatusCode::kUnavailable);  // only "the outcome is unknown"
      unknown.insert(id);
    }
  }
  operatorOnCall.join();
  CHECK(c->reconnects() >= 1);
  CHECK(c->server() == "127.0.0.1:" + std::to_string(standby->port()));
  CHECK(committed.size() + unknown.size() == 400);
  CHECK(unknown.size() <= 1);  // at most the one whose COMMIT was on its way
  // Everything acknowledged is there; what was unknown may or may not be.
  const std::string missing = standby->query(
      "SELECT count(*) FROM generate_series(1, 400) AS g(id) WHERE NOT EXISTS (SELECT 1 FROM items WHERE items.id = g.id)");
  CHECK(std::stoul(missing) <= unknown.size());
  for (int id : {1, 150, 151, 400})
    if (committed.count(id)) CHECK(standby->query("SELECT note FROM items WHERE id = " + std::to_string(id)) == "flood");
}

#include "kiosk/outbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <unistd.h>

#include "common/crypto/hash.h"
#include "kiosk/api_signups.h"

namespace tocsin::kiosk {
namespace {

// A prepared statement, finalized on scope exit.
class Query {
 public:
  Query(sqlite3* db, const char* sql) { ok_ = sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) == SQLITE_OK; }
  ~Query() { sqlite3_finalize(st_); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  bool ok() const { return ok_; }
  sqlite3_stmt* operator*() const { return st_; }

 private:
  sqlite3_stmt* st_ = nullptr;
  bool ok_ = false;
};

std::string text(sqlite3_stmt* st, int col) {
  const auto* p = sqlite3_column_text(st, col);
  return p ? reinterpret_cast<const char*>(p) : "";
}

}  // namespace

Result<std::unique_ptr<Outbox>> Outbox::open(const std::string& path, const Clock& clock) {
  // Created readable by the kiosk's account alone: it holds numbers until they are delivered.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::ioError("cannot create the outbox " + path);
  ::fchmod(fd, 0600);
  ::close(fd);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return Status::ioError("cannot open the outbox " + path);
  }
  sqlite3_busy_timeout(db, 2000);
  const char* setup =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;"
      "CREATE TABLE IF NOT EXISTS waiting (id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL, body TEXT NOT NULL,"
      " taken_at INTEGER NOT NULL);";
  if (sqlite3_exec(db, setup, nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string why = sqlite3_errmsg(db);
    sqlite3_close(db);
    return Status::ioError("cannot prepare the outbox " + path + ": " + why);
  }
  return std::unique_ptr<Outbox>(new Outbox(db, clock));
}

Outbox::~Outbox() { sqlite3_close(db_); }

int64_t Outbox::size() {
  Query q(db_, "SELECT count(*) FROM waiting");
  return q.ok() && sqlite3_step(*q) == SQLITE_ROW ? sqlite3_column_int64(*q, 0) : 0;
}

bool Outbox::full() {
  Query q(db_, "SELECT count(*), min(taken_at) FROM waiting");
  if (!q.ok() || sqlite3_step(*q) != SQLITE_ROW) return true;
  if (sqlite3_column_int64(*q, 0) >= kOutboxCapacity) return true;
  if (sqlite3_column_type(*q, 1) == SQLITE_NULL) return false;
  return toMicros(clock_.now()) - sqlite3_column_int64(*q, 1) > std::chrono::duration_cast<Micros>(kOutboxMaxAge).count();
}

Status Outbox::add(const std::string& body) {
  if (full()) return Status::unavailable("the outbox is full: sign-ups pause until the appliance can be reached");
  TOCSIN_ASSIGN_OR_RETURN(const Bytes random, randomBytes(16));
  Query q(db_, "INSERT INTO waiting (idempotency_key, body, taken_at) VALUES (?1, ?2, ?3)");
  if (!q.ok()) return Status::ioError("the outbox cannot take a sign-up");
  const std::string key = "kiosk-outbox-" + toHex(random);
  sqlite3_bind_text(*q, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(*q, 2, body.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(*q, 3, toMicros(clock_.now()));
  if (sqlite3_step(*q) != SQLITE_DONE) return Status::ioError(std::string("the outbox cannot take a sign-up: ") + sqlite3_errmsg(db_));
  return Status::okStatus();
}

Outbox::Delivery Outbox::deliver(KioskApi& api) {
  Delivery d;
  while (true) {
    int64_t id = 0;
    std::string key, body;
    {
      Query q(db_, "SELECT id, idempotency_key, body FROM waiting ORDER BY id LIMIT 1");
      if (!q.ok() || sqlite3_step(*q) != SQLITE_ROW) break;
      id = sqlite3_column_int64(*q, 0);
      key = text(*q, 1);
      body = text(*q, 2);
    }
    const ApiReply r = api.call("POST", "/v1/signups", body, key);
    // No answer, or the appliance busy or rate-limiting: it stays, in order, for the next round.
    if (r.status == 0 || r.status == 429 || r.status >= 500) {
      d.unreachable = r.status == 0;
      break;
    }
    if (r.status == 200 || r.status == 202) ++d.delivered;
    else ++d.refused;  // refused for good (a text withdrawn, a number refused): kept no longer
    Query del(db_, "DELETE FROM waiting WHERE id = ?1");
    sqlite3_bind_int64(*del, 1, id);
    sqlite3_step(*del);
  }
  if (d.delivered + d.refused > 0) sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  return d;
}

}  // namespace tocsin::kiosk

#include "common/store/sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "common/store/migrations.h"
#include "common/store/sqlite_repositories.h"

namespace tocsin {

using sql::Database;
using sql::StoreFailure;

struct SqliteStore::Impl final : StoreTx {
  explicit Impl(std::unique_ptr<Database> database)
      : db(std::move(database)), counts(*db), contactsRepo(*db), consentRepo(*db, proven), auditRepo(*db), suppressionRepo(*db, proven),
        privacyRepo(*db, proven), jobsRepo(*db, counts), messagesRepo(*db, counts), inboxRepo(*db), signupsRepo(*db), runtimeRepo(*db),
        tokensRepo(*db), webhooksRepo(*db), peopleRepo(*db), sendersRepo(*db), consoleRepo(*db), shopsRepo(*db) {}

  ContactRepository& contacts() override { return contactsRepo; }
  ConsentRepository& consent() override { return consentRepo; }
  AuditRepository& audit() override { return auditRepo; }
  SuppressionRepository& suppressions() override { return suppressionRepo; }
  PrivacyRepository& privacy() override { return privacyRepo; }
  JobRepository& jobs() override { return jobsRepo; }
  MessageRepository& messages() override { return messagesRepo; }
  InboxRepository& inbox() override { return inboxRepo; }
  SignupRepository& signups() override { return signupsRepo; }
  RuntimeStatusRepository& runtime() override { return runtimeRepo; }
  TokenRepository& tokens() override { return tokensRepo; }
  WebhookRepository& webhooks() override { return webhooksRepo; }
  PeopleRepository& people() override { return peopleRepo; }
  SenderRepository& senders() override { return sendersRepo; }
  ConsoleRepository& console() override { return consoleRepo; }
  ShopRepository& shops() override { return shopsRepo; }
  std::vector<ProvenChange> takeProvenChanges() override { return std::exchange(proven, {}); }

  std::unique_ptr<Database> db;
  sql::ProvenLedger proven;  // declared before the repositories that keep a reference to it
  sql::JobCountLedger counts;
  sql::SqliteContacts contactsRepo;
  sql::SqliteConsent consentRepo;
  sql::SqliteAudit auditRepo;
  sql::SqliteSuppressions suppressionRepo;
  sql::SqlitePrivacy privacyRepo;
  sql::SqliteJobs jobsRepo;
  sql::SqliteMessages messagesRepo;
  sql::SqliteInbox inboxRepo;
  sql::SqliteSignups signupsRepo;
  sql::SqliteRuntimeStatus runtimeRepo;
  sql::SqliteTokens tokensRepo;
  sql::SqliteWebhooks webhooksRepo;
  sql::SqlitePeople peopleRepo;
  sql::SqliteSenders sendersRepo;
  sql::SqliteConsole consoleRepo;
  sql::SqliteShops shopsRepo;
  int schemaVersion = 0;
  int writersLock = -1;  // the `<store>-writers` lock file
  bool yielding = false;     // the store yields to other writers
  Clock* clock = nullptr;    // how it waits for the writers' lock
  bool lockTimedOut = false; // the last wait for the writers' lock ran out

  ~Impl() override {
    if (writersLock >= 0) ::close(writersLock);
  }
};

namespace {

// flock, retried when a signal interrupts it.
bool lockFile(int fd, int operation) {
  while (::flock(fd, operation) != 0)
    if (errno != EINTR) return false;
  return true;
}

// How long a writer waits on the writers' lock before going ahead without it (SQLite's own
// lock still protects the data; only fairness is lost). After one such wait ran out, the lock
// is likely held by a process that is stuck, or hostile: the next waits are short, until the
// lock is free again.
struct LockPatience {
  Micros first;
  Micros afterTimeout;
};
constexpr LockPatience kYielding{std::chrono::milliseconds(250), std::chrono::milliseconds(5)};
constexpr LockPatience kOrdinary{std::chrono::milliseconds(1000), std::chrono::milliseconds(20)};

// One write transaction's turn at the writers' lock file. An ordinary writer (tocsinctl, the
// API) holds it shared for the transaction; a yielding writer (the broadcaster's loop) waits
// until nobody else holds it, then goes without keeping it. Either waits a bounded time.
class WriterTurn {
 public:
  WriterTurn(int fd, bool yielding, Clock& clock, bool& timedOut) : fd_(fd) {
    if (fd_ < 0) return;
    const LockPatience& patience = yielding ? kYielding : kOrdinary;
    const MonoTime deadline = clock.monotonic() + (timedOut ? patience.afterTimeout : patience.first);
    const int operation = (yielding ? LOCK_EX : LOCK_SH) | LOCK_NB;
    Interrupt never;
    bool got = false;
    while (true) {
      if (::flock(fd_, operation) == 0) {
        got = true;
        break;
      }
      if ((errno != EWOULDBLOCK && errno != EINTR) || clock.monotonic() >= deadline) break;
      clock.sleepFor(std::chrono::milliseconds(1), never);
    }
    timedOut = !got;
    if (got && yielding) lockFile(fd_, LOCK_UN);
    if (!got || yielding) fd_ = -1;
  }
  ~WriterTurn() {
    if (fd_ >= 0) lockFile(fd_, LOCK_UN);
  }
  WriterTurn(const WriterTurn&) = delete;
  WriterTurn& operator=(const WriterTurn&) = delete;

 private:
  int fd_;
};

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, const SqliteOptions& options) {
  try {
    // The store holds personal data: create it readable by its owner and group only (SQLite
    // gives its -wal and -shm files the same mode).
    if (options.create) {
      const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
      if (fd >= 0) ::close(fd);
    }
    auto db = std::make_unique<Database>(path, options.create);
    // The busy timeout comes first: every later statement may meet another process's lock.
    sqlite3_busy_timeout(db->handle(), options.busyTimeoutMs);
    const int64_t existingVersion = db->queryInt("PRAGMA user_version");
    if (existingVersion > sql::latestSchemaVersion()) {
      TOCSIN_RETURN_IF_ERROR(sql::migrate(*db));  // produces the "newer Tocsin" refusal
    }
    {
      sql::Statement mode(db->handle(), "PRAGMA journal_mode=WAL");
      if (!mode.step() || mode.getText(0) != "wal")
        return Status::ioError("store " + path + " cannot use write-ahead logging (is it on a network file system?)");
    }
    db->exec("PRAGMA synchronous=FULL");
    db->exec("PRAGMA foreign_keys=ON");
    db->exec("PRAGMA secure_delete=ON");
    db->exec("PRAGMA temp_store=MEMORY");
    TOCSIN_RETURN_IF_ERROR(sql::migrate(*db));
    auto impl = std::make_unique<Impl>(std::move(db));
    if (options.yieldToWriters && !options.clock)
      return Status::internal("a store that yields to other writers needs a clock to wait on");
    impl->yielding = options.yieldToWriters;
    static SystemClock systemClock;  // for writers given no clock: waits here are real ones
    impl->clock = options.clock ? options.clock : &systemClock;
    // Its owner's alone (0600): no other user may take it and stall the broadcaster.
    impl->writersLock = ::open((path + "-writers").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (impl->writersLock < 0)
      return Status::ioError("cannot open the store's lock file " + path + "-writers: " + std::strerror(errno));
    struct stat lockStat {};
    if (::fstat(impl->writersLock, &lockStat) == 0 && lockStat.st_uid == ::geteuid() && (lockStat.st_mode & 077))
      ::fchmod(impl->writersLock, 0600);
    impl->schemaVersion = static_cast<int>(impl->db->queryInt("PRAGMA user_version"));
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
  } catch (const StoreFailure& e) {
    return e.toStatus().withContext("opening store " + path);
  }
}

Status SqliteStore::run(bool write, const Body& body) {
  try {
    WriterTurn turn(write ? impl_->writersLock : -1, impl_->yielding, *impl_->clock, impl_->lockTimedOut);
    impl_->counts.discard();
    impl_->proven.clear();
    sql::Transaction tx(*impl_->db, write);
    Status st = body(*impl_);
    if (!st.ok()) {
      impl_->counts.discard();
      return st;  // the Transaction rolls back
    }
    if (write) impl_->counts.flush();
    tx.commit();
    return Status::okStatus();
  } catch (const StoreFailure& e) {
    impl_->counts.discard();
    return e.toStatus();
  }
}

Status SqliteStore::read(const Body& body) { return run(false, body); }
Status SqliteStore::write(const Body& body) { return run(true, body); }

StoreInfo SqliteStore::info() const { return {impl_->db->path(), impl_->schemaVersion}; }

Status SqliteStore::compact() {
  // TRUNCATE copies the log into the database and empties it, waiting (through the busy
  // handler) for readers of an older snapshot to move on. Until it succeeds, pages the last
  // transactions deleted may still be read from the log file: whoever erases must know.
  Interrupt never;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt > 0) impl_->clock->sleepFor(std::chrono::milliseconds(100), never);
    int logFrames = -1, checkpointed = -1;
    const int rc = sqlite3_wal_checkpoint_v2(impl_->db->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, &logFrames,
                                             &checkpointed);
    if (rc == SQLITE_OK && logFrames == 0) return Status::okStatus();
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
      return Status::ioError(std::string("cannot checkpoint the write-ahead log: ") +
                             sqlite3_errmsg(impl_->db->handle()));
  }
  return Status::unavailable("the write-ahead log of " + impl_->db->path() +
                             " could not be emptied: another connection is still reading an older snapshot, so "
                             "deleted rows may still be read from the -wal file; retry when it has finished "
                             "(tocsinctl store compact)");
}

Result<uint64_t> SqliteStore::changeCount() {
  try {
    return static_cast<uint64_t>(impl_->db->queryInt("PRAGMA data_version"));
  } catch (const StoreFailure& e) {
    return e.toStatus();
  }
}

}  // namespace tocsin

#include "common/store/sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "common/base/files.h"
#include "common/base/time.h"
#include "common/store/migrations.h"
#include "common/store/repositories.h"

namespace tocsin {

using sql::SqliteDatabase;
using sql::StoreFailure;

struct SqliteStore::Impl {
  explicit Impl(std::unique_ptr<SqliteDatabase> database) : db(std::move(database)), repos(*db) {}

  std::unique_ptr<SqliteDatabase> db;
  sql::RepositorySet repos;
  int schemaVersion = 0;
  int migratedFrom = 0;
  std::string migrationBackup;
  int writersLock = -1;  // the `<store>-writers` lock file
  bool yielding = false;     // the store yields to other writers
  Clock* clock = nullptr;    // how it waits for the writers' lock
  bool lockTimedOut = false; // the last wait for the writers' lock ran out

  ~Impl() {
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

// Copies the database `source` to `path` (which must not exist) with the online backup API, in
// one step: one read snapshot, so the copy is consistent whatever is written meanwhile.
Status copyDatabase(sqlite3* source, const std::string& path) {
  if (::access(path.c_str(), F_OK) == 0) return Status::alreadyExists(path + " already exists; nothing was written");
  const std::string temp = temporaryNameFor(path);
  const int fd = ::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return errnoStatus("cannot create", temp);
  ::close(fd);
  sqlite3* dest = nullptr;
  auto fail = [&](const std::string& what) {
    const std::string message = what + (dest ? std::string(": ") + sqlite3_errmsg(dest) : std::string());
    if (dest) sqlite3_close(dest);
    ::unlink(temp.c_str());
    ::unlink((temp + "-journal").c_str());
    return Status::ioError(message);
  };
  if (sqlite3_open_v2(temp.c_str(), &dest, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
    return fail("cannot open the copy " + temp);
  sqlite3_backup* backup = sqlite3_backup_init(dest, "main", source, "main");
  if (!backup) return fail("cannot start copying the store to " + path);
  const int rc = sqlite3_backup_step(backup, -1);
  const int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE || finished != SQLITE_OK) return fail("copying the store to " + path + " failed");
  // A single file, whatever the source's journal mode: it opens (in WAL again) as a store.
  if (sqlite3_exec(dest, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("cannot finish the copy " + temp);
  if (sqlite3_close(dest) != SQLITE_OK) return fail("cannot close the copy " + temp);
  dest = nullptr;
  const int sync = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
  if (sync < 0 || ::fsync(sync) != 0) {
    if (sync >= 0) ::close(sync);
    return fail("cannot sync the copy " + temp);
  }
  ::close(sync);
  // link() and not rename(): a file that appeared at `path` meanwhile is never replaced.
  if (::link(temp.c_str(), path.c_str()) != 0) {
    const Status st = errnoStatus("cannot put the copy in place at", path);
    ::unlink(temp.c_str());
    return st;
  }
  ::unlink(temp.c_str());
  return syncDirectory(parentOf(path));
}

// Where a store about to be migrated is copied first: <dir>/<name>.schema-v<N>.<UTC>.
Result<std::string> migrationBackupPath(const std::string& storePath, const SqliteOptions& options, int64_t version) {
  const std::string dir = options.migrationBackupDir.empty() ? parentOf(storePath) + "/backups" : options.migrationBackupDir;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return errnoStatus("cannot create the backup directory", dir);
  static SystemClock systemClock;
  const Clock& clock = options.clock ? *options.clock : static_cast<const Clock&>(systemClock);
  return dir + "/" + fileNameOf(storePath) + ".schema-v" + std::to_string(version) + "." + formatUtcCompact(clock.now());
}

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
    auto db = std::make_unique<SqliteDatabase>(path, options.create);
    // The busy timeout comes first: every later statement may meet another process's lock.
    sqlite3_busy_timeout(db->handle(), options.busyTimeoutMs);
    const int64_t existingVersion = db->queryInt("PRAGMA user_version");
    if (existingVersion > sql::latestSchemaVersion()) {
      TOCSIN_RETURN_IF_ERROR(sql::migrate(*db));  // produces the "newer Tocsin" refusal
    }
    {
      sql::SqliteStatement mode(db->handle(), "PRAGMA journal_mode=WAL");
      if (!mode.step() || mode.getText(0) != "wal")
        return Status::ioError("store " + path + " cannot use write-ahead logging (is it on a network file system?)");
    }
    db->exec("PRAGMA synchronous=FULL");
    db->exec("PRAGMA foreign_keys=ON");
    db->exec("PRAGMA secure_delete=ON");
    db->exec("PRAGMA temp_store=MEMORY");
    // An existing store that is behind is copied before the first step: an upgrade can always be
    // undone by restoring the copy with the older Tocsin.
    std::string migrationBackup;
    const int64_t before = db->queryInt("PRAGMA user_version");
    if (before > 0 && before < sql::latestSchemaVersion()) {
      TOCSIN_ASSIGN_OR_RETURN(migrationBackup, migrationBackupPath(path, options, before));
      if (Status copied = copyDatabase(db->handle(), migrationBackup); !copied.ok())
        return copied.withContext("the store must be copied before its schema is migrated from version " +
                                  std::to_string(before) + "; nothing was changed");
    }
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
    if (!migrationBackup.empty()) {
      impl->migratedFrom = static_cast<int>(before);
      impl->migrationBackup = migrationBackup;
    }
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
  } catch (const StoreFailure& e) {
    return e.toStatus().withContext("opening store " + path);
  }
}

Status SqliteStore::run(bool write, const Body& body) {
  try {
    WriterTurn turn(write ? impl_->writersLock : -1, impl_->yielding, *impl_->clock, impl_->lockTimedOut);
    impl_->repos.startTransaction();
    sql::Transaction tx(*impl_->db, write);
    Status st = body(impl_->repos);
    if (!st.ok()) {
      impl_->repos.counts.discard();
      return st;  // the Transaction rolls back
    }
    if (write) impl_->repos.counts.flush();
    tx.commit();
    return Status::okStatus();
  } catch (const StoreFailure& e) {
    impl_->repos.counts.discard();
    return e.toStatus();
  }
}

Status SqliteStore::read(const Body& body) { return run(false, body); }
Status SqliteStore::write(const Body& body) { return run(true, body); }

StoreInfo SqliteStore::info() const {
  return {impl_->db->path(), impl_->schemaVersion, impl_->migratedFrom, impl_->migrationBackup};
}

Status SqliteStore::backupTo(const std::string& path) {
  try {
    impl_->db->finishStatements();
  } catch (const StoreFailure& e) {
    return e.toStatus();
  }
  return copyDatabase(impl_->db->handle(), path);
}

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

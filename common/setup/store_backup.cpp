#include "common/setup/store_backup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/audit/anchor.h"
#include "common/base/files.h"
#include "common/base/time.h"
#include "common/crypto/hash.h"
#include "common/store/sqlite.h"
#include "common/store/sqlite_store.h"

namespace tocsin {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPayloadHeader = "tocsin store keys v1\n";

// The key files of a store: its secrets, its signing keys and the API's certificate pair. Not
// its audit anchor (the backup carries one for the copy), temporary or replaced files.
Result<std::map<std::string, std::string>> readKeyFiles(const std::string& dir) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool keyish = name.ends_with(".key") || name.ends_with(".pem");
    if (!entry.is_regular_file() || !keyish || name.find(".tmp.") != std::string::npos) continue;
    TOCSIN_ASSIGN_OR_RETURN(std::string content, readWholeFile(entry.path().string()));
    files.emplace(name, std::move(content));
  }
  if (ec) return Status::ioError("cannot list the key directory " + dir + ": " + ec.message());
  return files;
}

struct Sealed {
  std::map<std::string, std::string> files;
  audit::AnchorState anchor;
};

std::string payloadOf(const Sealed& s) {
  std::string p(kPayloadHeader);
  p += "anchor " + std::to_string(s.anchor.seq) + " " + toHex(s.anchor.mac) + "\n";
  for (const auto& [name, content] : s.files)
    p += "file " + name + " " + toBase64(reinterpret_cast<const uint8_t*>(content.data()), content.size()) + "\n";
  return p;
}

Result<Sealed> parsePayload(const std::string& p) {
  const Status bad = Status::invalid("the keys file opened, but what it holds is not a Tocsin key backup");
  if (!p.starts_with(kPayloadHeader)) return bad;
  Sealed s;
  bool anchored = false;
  std::istringstream in(p.substr(kPayloadHeader.size()));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind, a, b;
    words >> kind >> a >> b;
    if (kind == "anchor") {
      TOCSIN_ASSIGN_OR_RETURN(Digest mac, digestFromHex(b));
      try {
        s.anchor = {std::stoll(a), mac};
      } catch (const std::exception&) {
        return bad;
      }
      anchored = true;
    } else if (kind == "file" && !a.empty() && a.find('/') == std::string::npos && a[0] != '.') {
      TOCSIN_ASSIGN_OR_RETURN(Bytes content, fromBase64(b));
      s.files.emplace(a, std::string(content.begin(), content.end()));
    } else {
      return bad;
    }
  }
  if (!anchored || s.files.empty()) return bad;
  return s;
}

// The newest audit entry of a database file: where its anchor must stand.
Result<audit::AnchorState> lastEntry(const std::string& databaseFile) {
  try {
    sql::SqliteDatabase db(databaseFile, false);
    sql::SqliteStatement q(db.handle(), "SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1");
    audit::AnchorState a;
    if (q.step()) {
      a.seq = q.getInt(0);
      const Bytes mac = q.getBlob(1);
      if (mac.size() != a.mac.size()) return Status::dataLoss("the newest audit entry of the copy has no valid MAC");
      std::copy(mac.begin(), mac.end(), a.mac.begin());
    }
    return a;
  } catch (const sql::StoreFailure& e) {
    return e.toStatus().withContext("reading " + databaseFile);
  }
}

Result<std::string> fileDigest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return errnoStatus("cannot read", path);
  Sha256 h;
  std::string buf(1 << 16, '\0');
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
    h.update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  return toHex(h.finish());
}

Status makePrivateDirectory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0) return errnoStatus("cannot create", dir);
  return Status::okStatus();
}

// A directory made for staging, removed unless release()d.
class Staging {
 public:
  explicit Staging(std::string path) : path_(std::move(path)) {}
  ~Staging() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Status moveAside(const std::string& path, const std::string& aside) {
  if (std::rename(path.c_str(), aside.c_str()) != 0) return errnoStatus("cannot move aside", path);
  return Status::okStatus();
}

}  // namespace

Result<StoreCounts> countStore(const std::string& databaseFile) {
  try {
    sql::SqliteDatabase db(databaseFile, false);
    return countDatabase(db, static_cast<int>(db.queryInt("PRAGMA user_version")));
  } catch (const sql::StoreFailure& e) {
    return e.toStatus().withContext("counting " + databaseFile);
  }
}

StoreCounts countDatabase(sql::Database& db, int schemaVersion) {
  StoreCounts c;
  c.schemaVersion = schemaVersion;
  c.contacts = db.queryInt("SELECT count(*) FROM contacts");
  c.consentEvents = db.queryInt("SELECT count(*) FROM consent_events");
  c.jobs = db.queryInt("SELECT count(*) FROM jobs");
  c.messages = db.queryInt("SELECT count(*) FROM messages");
  c.auditEntries = db.queryInt("SELECT count(*) FROM audit_log");
  c.lastAuditSeq = db.queryInt("SELECT coalesce(max(seq), 0) FROM audit_log");
  return c;
}

std::string describeCounts(const StoreCounts& c) {
  return "schema version " + std::to_string(c.schemaVersion) + ", " + std::to_string(c.contacts) + " contacts, " +
         std::to_string(c.consentEvents) + " consent events, " + std::to_string(c.jobs) + " jobs, " +
         std::to_string(c.messages) + " messages, " + std::to_string(c.auditEntries) +
         " audit entries (last " + std::to_string(c.lastAuditSeq) + ")";
}

Result<BackupResult> backupStore(StoreEnvironment& env, const std::string& actor, const std::string& out,
                                 const std::string& keysOut, const std::string& passphrase, ScryptCost cost) {
  if (!env.config.store.postgresql.empty())
    return Status::failedPrecondition(
        "the store is on PostgreSQL: back it up with PostgreSQL's own tools (pg_basebackup, pg_dump), and the key "
        "directory with tocsinctl keys backup; nothing was written");
  if (passphrase.size() < kMinPassphraseLength)
    return Status::invalid("the passphrase must have at least " + std::to_string(kMinPassphraseLength) + " characters");
  if (out == keysOut) return Status::invalid("the store copy and its keys go to two different files");
  for (const std::string& f : {out, keysOut})
    if (::access(f.c_str(), F_OK) == 0) return Status::alreadyExists(f + " already exists; nothing was written");
  TOCSIN_ASSIGN_OR_RETURN(auto keyFiles, readKeyFiles(env.keys.path()));
  // Recorded first, so that the copy holds the record of its own making.
  TOCSIN_RETURN_IF_ERROR(env.audit->write(*env.store, actor, [&](StoreTx&, AuditRecorder& rec) {
    rec.record("store.backup", "store", "copied to " + out + "; keys sealed in " + keysOut);
    return Status::okStatus();
  }));
  {
    SqliteOptions options;
    options.create = false;
    options.busyTimeoutMs = env.config.store.busyTimeoutMs;
    TOCSIN_ASSIGN_OR_RETURN(auto source, SqliteStore::open(env.config.store.path, options));
    TOCSIN_RETURN_IF_ERROR(source->backupTo(out));
  }
  BackupResult r{out, keysOut, {}, {}};
  auto fail = [&](const Status& st) {
    ::unlink(out.c_str());
    return st;
  };
  auto counts = countStore(out);
  if (!counts.ok()) return fail(counts.status());
  r.counts = *counts;
  auto anchor = lastEntry(out);
  if (!anchor.ok()) return fail(anchor.status());
  auto sealed = sealWithPassphrase(payloadOf({keyFiles, *anchor}), passphrase, cost);
  if (!sealed.ok()) return fail(sealed.status());
  if (Status written = writeFileAtomically(keysOut, *sealed, 0600); !written.ok()) return fail(written);
  auto digest = fileDigest(out);
  if (!digest.ok()) return fail(digest.status());
  r.sha256 = *digest;
  return r;
}

Result<RestoreResult> restoreStore(const Config& config, Clock& clock, const std::string& backupFile,
                                   const std::string& keysFile, const std::string& passphrase, const std::string& actor) {
  if (!config.store.postgresql.empty())
    return Status::failedPrecondition(
        "the store is on PostgreSQL: restore it with PostgreSQL's own tools; nothing was restored");
  TOCSIN_ASSIGN_OR_RETURN(std::string sealedText, readWholeFile(keysFile));
  auto opened = openWithPassphrase(sealedText, passphrase);
  if (!opened.ok()) return opened.status().withContext(keysFile);
  TOCSIN_ASSIGN_OR_RETURN(Sealed sealed, parsePayload(*opened));
  if (::access(backupFile.c_str(), R_OK) != 0) return errnoStatus("cannot read the backup", backupFile);

  const std::string storePath = config.store.path;
  const std::string keysDir = config.keysDir();
  // A store restored onto a new machine: its directory is made, its owner's alone.
  if (::mkdir(parentOf(storePath).c_str(), 0700) != 0 && errno != EEXIST)
    return errnoStatus("cannot create the store's directory", parentOf(storePath));
  // Staged beside their places, so that putting them in place is a rename on one file system.
  std::string storeStage = storePath + ".restore-XXXXXX";
  if (!::mkdtemp(storeStage.data())) return errnoStatus("cannot create a staging directory beside", storePath);
  Staging stagedStore(storeStage);
  std::string keysStage = keysDir + ".restore-XXXXXX";
  if (!::mkdtemp(keysStage.data())) return errnoStatus("cannot create a staging directory beside", keysDir);
  Staging stagedKeys(keysStage);

  const std::string stagedDb = storeStage + "/" + fileNameOf(storePath);
  std::error_code ec;
  fs::copy_file(backupFile, stagedDb, ec);
  if (ec) return Status::ioError("cannot copy " + backupFile + ": " + ec.message());
  ::chmod(stagedDb.c_str(), 0600);
  RestoreResult result;
  auto counted = countStore(stagedDb);
  if (!counted.ok()) return counted.status().withContext(backupFile + " is not a readable Tocsin store");
  result.counts = *counted;

  const std::string stagedKeyDir = keysStage + "/keys";
  TOCSIN_RETURN_IF_ERROR(makePrivateDirectory(stagedKeyDir));
  for (const auto& [name, content] : sealed.files)
    TOCSIN_RETURN_IF_ERROR(writeFileAtomically(stagedKeyDir + "/" + name, content, 0600));
  auto auditKey = KeyDirectory(stagedKeyDir).secret("audit");
  if (!auditKey.ok()) return Status::invalid(keysFile + " holds no audit key: it is not a store backup's keys file");
  TOCSIN_RETURN_IF_ERROR(
      audit::AnchorFile(stagedKeyDir + "/" + fileNameOf(storePath) + ".audit-anchor", *auditKey).advance(sealed.anchor));

  {
    Config staged = config;
    staged.store.path = stagedDb;
    staged.store.keysDir = stagedKeyDir;
    StoreEnvironment env;
    SqliteOptions options;
    options.create = false;
    options.migrationBackupDir = storeStage + "/backups";
    if (Status st = env.open(staged, clock, options); !st.ok())
      return st.withContext("the backup " + backupFile + " does not open with the keys of " + keysFile);
    TOCSIN_ASSIGN_OR_RETURN(AuditVerification v, env.audit->verify(*env.store));
    if (!v.intact()) {
      std::string why = v.explanation;
      for (const auto& row : v.rows) why += (why.empty() ? "" : "; ") + row.text;
      return Status::dataLoss("the backup's audit chain does not verify (" + std::string(auditProblemName(v.problem)) +
                              "): " + why + ". Nothing was restored.");
    }
    result.verifiedEntries = v.entries;
    result.provenRows = v.provenRows;
    result.schemaVersion = env.store->info().schemaVersion;
    TOCSIN_ASSIGN_OR_RETURN(std::string digest, fileDigest(backupFile));
    TOCSIN_RETURN_IF_ERROR(env.audit->write(*env.store, actor, [&](StoreTx&, AuditRecorder& rec) {
      rec.record("store.restore", "store",
                 "from " + backupFile + " (sha256 " + digest + "); " + std::to_string(v.entries) +
                     " audit entries and " + std::to_string(v.provenRows) + " consent rows verified");
      return Status::okStatus();
    }));
    TOCSIN_RETURN_IF_ERROR(env.store->compact());
  }
  // The last connection is closed: only the database file is left to move (and the lock file).
  ::unlink((stagedDb + "-writers").c_str());
  ::unlink((stagedDb + "-wal").c_str());
  ::unlink((stagedDb + "-shm").c_str());

  // In place. What was there is renamed, never deleted.
  const std::string suffix = ".replaced-" + formatUtcCompact(clock.now());
  if (::access(storePath.c_str(), F_OK) == 0) {
    result.replacedStore = storePath + suffix;
    TOCSIN_RETURN_IF_ERROR(moveAside(storePath, result.replacedStore));
    for (const char* side : {"-wal", "-shm", "-writers"})
      if (::access((storePath + side).c_str(), F_OK) == 0)
        TOCSIN_RETURN_IF_ERROR(moveAside(storePath + side, result.replacedStore + side));
  }
  if (::access(keysDir.c_str(), F_OK) == 0) {
    result.replacedKeys = keysDir + suffix;
    TOCSIN_RETURN_IF_ERROR(moveAside(keysDir, result.replacedKeys));
  }
  if (std::rename(stagedKeyDir.c_str(), keysDir.c_str()) != 0) return errnoStatus("cannot put the keys in place at", keysDir);
  if (std::rename(stagedDb.c_str(), storePath.c_str()) != 0) return errnoStatus("cannot put the store in place at", storePath);
  TOCSIN_RETURN_IF_ERROR(syncDirectory(parentOf(storePath)));
  TOCSIN_RETURN_IF_ERROR(syncDirectory(parentOf(keysDir)));
  return result;
}

}  // namespace tocsin

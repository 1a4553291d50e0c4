#include "common/setup/store_environment.h"

#include "common/setup/store_keys.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace tocsin {
namespace {

Status ensureParentDirectory(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return Status::okStatus();
  const std::string dir = path.substr(0, slash);
  if (::access(dir.c_str(), F_OK) == 0) return Status::okStatus();
  // Creates one missing level (the default "var/" next to the working directory).
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST)
    return Status::ioError("cannot create directory " + dir + " for the store");
  return Status::okStatus();
}

}  // namespace

Result<std::unique_ptr<Store>> openStore(const Config& config, Clock& clock, SqliteOptions options) {
  if (!config.store.postgresql.empty()) {
    TOCSIN_ASSIGN_OR_RETURN(auto opened, PgStore::open(config.store.postgresql, clock));
    return std::unique_ptr<Store>(std::move(opened));
  }
  options.busyTimeoutMs = config.store.busyTimeoutMs;
  TOCSIN_ASSIGN_OR_RETURN(auto opened, SqliteStore::open(config.store.path, options));
  return std::unique_ptr<Store>(std::move(opened));
}

Status StoreEnvironment::open(const Config& c, Clock& clock, SqliteOptions options) {
  config = c;
  openedWith = &clock;
  // On PostgreSQL the path's directory holds this node's keys and anchor.
  if (options.create) TOCSIN_RETURN_IF_ERROR(ensureParentDirectory(c.store.path));
  TOCSIN_ASSIGN_OR_RETURN(store, openStore(c, clock, options));
  keys = KeyDirectory(c.keysDir());
  // Keys are made with a new store only; any other store must find its own.
  TOCSIN_RETURN_IF_ERROR(bindStoreKeys(*store, keys, clock));
  TOCSIN_ASSIGN_OR_RETURN(AuditLog log, AuditLog::open(keys, c.store.path, clock));
  audit = std::make_unique<AuditLog>(std::move(log));
  TOCSIN_RETURN_IF_ERROR(audit->adoptProvenRows(*store));
  if (const StoreInfo info = store->info(); info.migratedFrom > 0) {
    TOCSIN_RETURN_IF_ERROR(audit->write(*store, "system:upgrade", [&](StoreTx&, AuditRecorder& rec) {
      rec.record("store.migrate", "store", "schema version " + std::to_string(info.migratedFrom) + " to " +
                                               std::to_string(info.schemaVersion) + "; copy taken before: " +
                                               info.migrationBackup);
      return Status::okStatus();
    }));
  }
  TOCSIN_ASSIGN_OR_RETURN(Suppressor sup, Suppressor::open(keys));
  suppressor = std::make_unique<Suppressor>(std::move(sup));
  phones = std::make_unique<PhoneNormalizer>(c.phone.defaultRegion);
  book = std::make_unique<ContactBook>(*suppressor);
  return Status::okStatus();
}

Result<std::unique_ptr<Store>> StoreEnvironment::connect(SqliteOptions options) const {
  options.create = false;
  static SystemClock systemClock;
  Clock& c = openedWith ? *openedWith : options.clock ? *options.clock : static_cast<Clock&>(systemClock);
  return openStore(config, c, options);
}

}  // namespace tocsin

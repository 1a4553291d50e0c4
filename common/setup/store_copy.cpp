#include "common/setup/store_copy.h"

#include <set>
#include <vector>

#include "common/store/postgres.h"
#include "common/store/postgres_sql.h"
#include "common/store/postgres_store.h"
#include "common/store/sqlite.h"

namespace tocsin {
namespace {

// Every table of the store, parents before children (foreign keys are checked as rows go in).
// Left out: what the target already has (its schema version, its change counter, the purge
// gate) and what its triggers rebuild (consent_state, from the consent history).
const std::vector<std::string> kTables = {
    "contacts", "consent_texts", "consent_text_purposes", "consent_events", "suppressions", "audit_log",
    "audit_checkpoint", "store_keys", "jobs", "messages", "job_counts", "delivery_reports", "incoming_messages",
    "runtime_status", "people", "api_tokens", "webhooks", "webhook_deliveries", "job_request_keys", "shop_senders",
    "signups", "kiosks", "console_accounts", "zones", "alert_templates", "shops", "credit_entries", "job_credits",
    "contact_lists", "list_members", "contact_tags", "links", "job_clicks"};
const std::set<std::string> kNotCopied = {"tocsin_schema", "store_version", "purge_gate", "proof_adoption",
                                          "consent_state"};

struct Column {
  std::string name;
  std::string type;  // PostgreSQL's: bigint, text, double precision, bytea
};

std::vector<Column> columnsOf(sql::Database& pg, const std::string& table) {
  auto st = pg.prepare(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND "
      "table_name = ?1 ORDER BY ordinal_position");
  st->bind(1, table);
  std::vector<Column> out;
  while (st->step()) out.push_back({st->getText(0), st->getText(1)});
  return out;
}

// Copies `table` row for row; returns how many rows.
int64_t copyTable(sql::Database& from, sql::Database& to, const std::string& table) {
  const std::vector<Column> columns = columnsOf(to, table);
  if (columns.empty()) throw sql::StoreFailure(Status::internal("the PostgreSQL store has no table " + table));
  std::string names, params;
  for (size_t i = 0; i < columns.size(); ++i) {
    names += (i ? ", " : "") + columns[i].name;
    params += (i ? ", ?" : "?") + std::to_string(i + 1);
  }
  // In the order of the first column (the id): the consent history goes in as it happened.
  auto read = from.prepare("SELECT " + names + " FROM " + table + " ORDER BY 1");
  sql::Statement& write = to.cached("INSERT INTO " + table + " (" + names + ") VALUES (" + params + ")");
  int64_t rows = 0;
  while (read->step()) {
    for (size_t i = 0; i < columns.size(); ++i) {
      const int col = static_cast<int>(i), at = col + 1;
      if (read->isNull(col)) write.bindNull(at);
      else if (columns[i].type == "bigint") write.bind(at, read->getInt(col));
      else if (columns[i].type == "double precision") write.bind(at, read->getDouble(col));
      else if (columns[i].type == "bytea") {
        const std::vector<uint8_t> blob = read->getBlob(col);
        write.bindBlob(at, blob.data(), blob.size());
      } else write.bind(at, read->getText(col));
    }
    write.run();
    ++rows;
  }
  // Ids the store assigns continue after the copied ones.
  for (const Column& c : columns)
    if (c.name == "id" && c.type == "bigint")
      to.exec("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), coalesce(max(id), 0) + 1, false) FROM " +
              table + " WHERE pg_get_serial_sequence('" + table + "', 'id') IS NOT NULL");
  return rows;
}

}  // namespace

Result<CopyResult> copyStoreToPostgres(StoreEnvironment& env, const std::string& conninfo, const std::string& actor,
                                       Clock& clock) {
  if (!env.config.store.postgresql.empty())
    return Status::failedPrecondition("the store is already on PostgreSQL; copy moves a SQLite store there");
  // The target: migrated to this build's schema, and empty.
  TOCSIN_ASSIGN_OR_RETURN(auto target, PgStore::open(conninfo, clock));
  CopyResult result;
  result.location = target->info().location;
  if (target->info().schemaVersion != env.store->info().schemaVersion)
    return Status::failedPrecondition("the PostgreSQL store has schema version " +
                                      std::to_string(target->info().schemaVersion) + ", the SQLite store " +
                                      std::to_string(env.store->info().schemaVersion));
  bool blank = false;
  TOCSIN_RETURN_IF_ERROR(target->read([&](StoreTx& tx) {
    blank = tx.audit().isBlank() && tx.jobs().recent(JobKind::kAlert, 0, 1).empty() && tx.people().list().empty();
    return Status::okStatus();
  }));
  if (!blank)
    return Status::failedPrecondition(result.location + " already holds a store; copy goes into an empty database only, "
                                      "and nothing was written");
  TOCSIN_RETURN_IF_ERROR(env.audit->write(*env.store, actor, [&](StoreTx&, AuditRecorder& rec) {
    rec.record("store.copy", "store", "copied to " + result.location);
    return Status::okStatus();
  }));
  // One snapshot of the source, one transaction on the target.
  try {
    sql::SqliteDatabase source(env.config.store.path, false);
    sql::Transaction reading(source, false);
    TOCSIN_ASSIGN_OR_RETURN(auto connection, pg::Connection::open(conninfo, clock));
    sql::PgDatabase db(*connection);
    TOCSIN_RETURN_IF_ERROR(connection->transaction([&](pg::Tx&) -> Status {
      try {
        db.exec(sql::kWriterLock);
        std::set<std::string> known(kTables.begin(), kTables.end());
        auto tables = db.prepare("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                                 "AND table_type = 'BASE TABLE'");
        while (tables->step()) {
          const std::string t = tables->getText(0);
          if (!known.count(t) && !kNotCopied.count(t))
            return Status::internal("table " + t + " is not known to the copy; nothing was written");
        }
        result.rows = 0;
        for (const std::string& t : kTables) result.rows += copyTable(source, db, t);
        db.exec("UPDATE proof_adoption SET pending = " +
                std::to_string(source.queryInt("SELECT pending FROM proof_adoption")));
        result.target = countDatabase(db, target->info().schemaVersion);
        return Status::okStatus();
      } catch (const sql::StoreFailure& e) {
        return e.toStatus();
      }
    }));
    result.source = countDatabase(source, static_cast<int>(source.queryInt("PRAGMA user_version")));
  } catch (const sql::StoreFailure& e) {
    return e.toStatus().withContext("copying the store to " + result.location);
  }
  if (!(result.source == result.target))
    return Status::dataLoss("the copy does not hold what the store holds: " + describeCounts(result.source) +
                            " against " + describeCounts(result.target));
  // The chain verifies there, with the same keys and this node's anchor.
  Config onPostgres = env.config;
  onPostgres.store.postgresql = conninfo;
  StoreEnvironment copied;
  TOCSIN_RETURN_IF_ERROR(copied.open(onPostgres, clock, SqliteOptions{}));
  TOCSIN_ASSIGN_OR_RETURN(AuditVerification v, copied.audit->verify(*copied.store));
  if (!v.intact()) return Status::dataLoss("the audit chain does not verify on PostgreSQL: " + v.explanation);
  result.verifiedEntries = v.entries;
  result.provenRows = v.provenRows;
  return result;
}

}  // namespace tocsin

#include "common/store/sqlite_repositories.h"

namespace tocsin::sql {
namespace {

constexpr const char* kColumns =
    "id, kind, class, mode, state, title, body, sender, purpose, target, bearers, created_by, approved_by, reference, "
    "details, not_before, expires_at, expand_cursor, recipients, created_at, updated_at";

std::optional<Timestamp> optionalTime(const Statement& st, int col) {
  if (st.isNull(col)) return std::nullopt;
  return fromMicros(st.getInt(col));
}

Job readJob(const Statement& st) {
  Job j;
  j.id = st.getInt(0);
  j.kind = st.getText(1);
  j.messageClass = st.getText(2);
  j.mode = st.getText(3);
  j.state = st.getText(4);
  j.title = st.getText(5);
  j.texts = st.getOptionalText(6);
  j.sender = st.getOptionalText(7);
  j.purpose = st.getOptionalText(8);
  j.target = st.getText(9);
  j.bearers = st.getOptionalText(10);
  j.createdBy = st.getText(11);
  j.approvedBy = st.getOptionalText(12);
  j.reference = st.getOptionalInt(13);
  j.details = st.getOptionalText(14);
  j.notBefore = optionalTime(st, 15);
  j.expiresAt = optionalTime(st, 16);
  j.expandCursor = st.getInt(17);
  j.recipients = st.getInt(18);
  j.createdAt = fromMicros(st.getInt(19));
  j.updatedAt = fromMicros(st.getInt(20));
  return j;
}

std::optional<int64_t> optionalMicros(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return toMicros(*t);
}

}  // namespace

JobId SqliteJobs::insert(const Job& j) {
  Statement& st = db_.cached(
      "INSERT INTO jobs (kind, class, mode, state, title, body, sender, purpose, target, bearers, created_by, "
      "approved_by, reference, details, not_before, expires_at, expand_cursor, recipients, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?19)");
  st.bind(1, j.kind).bind(2, j.messageClass).bind(3, j.mode).bind(4, j.state).bind(5, j.title).bind(6, j.texts);
  st.bind(7, j.sender).bind(8, j.purpose).bind(9, j.target).bind(10, j.bearers).bind(11, j.createdBy);
  st.bind(12, j.approvedBy).bind(13, j.reference).bind(14, j.details).bind(15, optionalMicros(j.notBefore));
  st.bind(16, optionalMicros(j.expiresAt)).bind(17, j.expandCursor).bind(18, j.recipients).bind(19, toMicros(j.createdAt));
  st.run();
  return db_.lastInsertRowid();
}

std::optional<Job> SqliteJobs::find(JobId id) {
  Statement& st = db_.cached(std::string("SELECT ") + kColumns + " FROM jobs WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return readJob(st);
}

std::vector<Job> SqliteJobs::inStates(const std::vector<std::string>& states) {
  std::string list = "[";
  for (size_t i = 0; i < states.size(); ++i) list += (i ? ",\"" : "\"") + states[i] + "\"";
  list += "]";
  Statement& st = db_.cached(std::string("SELECT ") + kColumns +
                             " FROM jobs WHERE state IN (SELECT value FROM json_each(?1)) ORDER BY id");
  st.bind(1, list);
  std::vector<Job> out;
  while (st.step()) out.push_back(readJob(st));
  return out;
}

std::vector<Job> SqliteJobs::list(JobId afterId, int64_t limit) {
  Statement& st = db_.cached(std::string("SELECT ") + kColumns + " FROM jobs WHERE id > ?1 ORDER BY id LIMIT ?2");
  st.bind(1, afterId).bind(2, limit);
  std::vector<Job> out;
  while (st.step()) out.push_back(readJob(st));
  return out;
}

void SqliteJobs::setState(JobId id, const std::string& state, Timestamp at) {
  Statement& st = db_.cached("UPDATE jobs SET state = ?2, updated_at = ?3 WHERE id = ?1");
  st.bind(1, id).bind(2, state).bind(3, toMicros(at));
  st.run();
}

void SqliteJobs::approve(JobId id, const std::string& approver, Timestamp at) {
  Statement& st = db_.cached("UPDATE jobs SET state = 'approved', approved_by = ?2, updated_at = ?3 WHERE id = ?1");
  st.bind(1, id).bind(2, approver).bind(3, toMicros(at));
  st.run();
}

bool SqliteJobs::replaceDraft(const Job& j, Timestamp at) {
  Statement& st = db_.cached(
      "UPDATE jobs SET title = ?2, body = ?3, sender = ?4, target = ?5, bearers = ?6, class = ?7, mode = ?8, "
      "details = ?9, expires_at = ?10, updated_at = ?11 WHERE id = ?1 AND state = 'draft'");
  st.bind(1, j.id).bind(2, j.title).bind(3, j.texts).bind(4, j.sender).bind(5, j.target).bind(6, j.bearers);
  st.bind(7, j.messageClass).bind(8, j.mode).bind(9, j.details).bind(10, optionalMicros(j.expiresAt)).bind(11, toMicros(at));
  st.run();
  return db_.changes() == 1;
}

void SqliteJobs::advanceExpansion(JobId id, ScanCursor cursor, int64_t added, Timestamp at) {
  Statement& st = db_.cached(
      "UPDATE jobs SET expand_cursor = ?2, recipients = recipients + ?3, updated_at = ?4 WHERE id = ?1");
  st.bind(1, id).bind(2, cursor).bind(3, added).bind(4, toMicros(at));
  st.run();
}

JobProgress SqliteJobs::progress(JobId id) {
  Statement& st = db_.cached("SELECT state, n FROM job_counts WHERE job_id = ?1 AND n <> 0");
  st.bind(1, id);
  JobProgress p;
  while (st.step())
    if (auto s = parseMessageState(st.getText(0))) p.counts[*s] = st.getInt(1);
  return p;
}

std::vector<ClassCount> SqliteJobs::countsByClass() {
  Statement& st = db_.cached(
      "SELECT j.class, c.state, sum(c.n) FROM job_counts c JOIN jobs j ON j.id = c.job_id "
      "GROUP BY j.class, c.state HAVING sum(c.n) <> 0 ORDER BY j.class, c.state");
  std::vector<ClassCount> out;
  while (st.step())
    if (auto s = parseMessageState(st.getText(1))) out.push_back({st.getText(0), *s, st.getInt(2)});
  return out;
}

}  // namespace tocsin::sql

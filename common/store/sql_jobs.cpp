#include "common/store/job_columns.h"
#include "common/store/repositories.h"

#include <limits>

namespace tocsin::sql {
namespace {

constexpr const char* kColumns =
    "id, kind, class, mode, state, title, body, sender, purpose, target, bearers, created_by, approved_by, reference, "
    "details, not_before, expires_at, expand_cursor, recipients, created_at, updated_at";
constexpr const char* kStatusColumns = "id, kind, class, state, not_before, expires_at, expand_cursor, recipients";

std::optional<Timestamp> optionalTime(const Statement& st, int col) {
  if (st.isNull(col)) return std::nullopt;
  return fromMicros(st.getInt(col));
}

std::optional<int64_t> optionalMicros(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return toMicros(*t);
}

[[noreturn]] void unknownWord(JobId id, const char* column, const std::string& word) {
  throw StoreFailure::damaged("job " + std::to_string(id) + ": unknown " + column + " '" + word + "'");
}

template <typename E>
E word(const Statement& st, int col, JobId id, const char* column, std::optional<E> (*parse)(std::string_view)) {
  const std::string w = st.getText(col);
  const auto value = parse(w);
  if (!value) unknownWord(id, column, w);
  return *value;
}

Job readJob(const Statement& st) {
  Job j;
  j.id = st.getInt(0);
  j.kind = word(st, 1, j.id, "kind", parseJobKind);
  j.messageClass = word(st, 2, j.id, "class", parseClass);
  j.mode = word(st, 3, j.id, "mode", parseMode);
  j.state = word(st, 4, j.id, "state", parseJobState);
  j.title = st.getText(5);
  j.texts = decodeTexts(j.id, st.getOptionalText(6));
  j.sender = st.getOptionalText(7);
  j.purpose = st.getOptionalText(8);
  j.target = decodeTarget(j.id, st.getText(9));
  j.bearers = decodeBearers(j.id, st.getOptionalText(10));
  j.createdBy = st.getText(11);
  j.approvedBy = st.getOptionalText(12);
  j.reference = st.getOptionalInt(13);
  j.details = decodeDetails(j.id, st.getOptionalText(14));
  j.notBefore = optionalTime(st, 15);
  j.expiresAt = optionalTime(st, 16);
  j.expandCursor = st.getInt(17);
  j.recipients = st.getInt(18);
  j.createdAt = fromMicros(st.getInt(19));
  j.updatedAt = fromMicros(st.getInt(20));
  return j;
}

JobStatus readStatus(const Statement& st) {
  JobStatus s;
  s.id = st.getInt(0);
  s.kind = word(st, 1, s.id, "kind", parseJobKind);
  s.messageClass = word(st, 2, s.id, "class", parseClass);
  s.state = word(st, 3, s.id, "state", parseJobState);
  s.notBefore = optionalTime(st, 4);
  s.expiresAt = optionalTime(st, 5);
  s.expandCursor = st.getInt(6);
  s.recipients = st.getInt(7);
  return s;
}

// A JSON list of state names, for `IN (SELECT value FROM json_each(?))`.
std::string stateList(const std::vector<JobState>& states) {
  std::string list = "[";
  for (size_t i = 0; i < states.size(); ++i) list += std::string(i ? ",\"" : "\"") + jobStateName(states[i]) + "\"";
  return list + "]";
}

std::optional<std::string> capField(const Job& j, std::string CapOrigin::*field) {
  if (!j.details.cap) return std::nullopt;
  return (*j.details.cap).*field;
}

}  // namespace

JobId SqlJobs::insert(const Job& j) {
  Statement& st = db_.cached(
      "INSERT INTO jobs (kind, class, mode, state, title, body, sender, purpose, target, bearers, created_by, "
      "approved_by, reference, details, not_before, expires_at, expand_cursor, recipients, created_at, updated_at, "
      "cap_sender, cap_identifier) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?19, ?20, ?21) RETURNING id");
  st.bind(1, jobKindName(j.kind)).bind(2, className(j.messageClass)).bind(3, modeName(j.mode));
  st.bind(4, jobStateName(j.state)).bind(5, j.title).bind(6, encodeTexts(j.texts));
  st.bind(7, j.sender).bind(8, j.purpose).bind(9, encodeTarget(j.target)).bind(10, encodeBearers(j.bearers));
  st.bind(11, j.createdBy).bind(12, j.approvedBy).bind(13, j.reference).bind(14, encodeDetails(j.details));
  st.bind(15, optionalMicros(j.notBefore)).bind(16, optionalMicros(j.expiresAt)).bind(17, j.expandCursor);
  st.bind(18, j.recipients).bind(19, toMicros(j.createdAt));
  st.bind(20, capField(j, &CapOrigin::sender)).bind(21, capField(j, &CapOrigin::identifier));
  return insertedId(st).value_or(0);
}

std::optional<Job> SqlJobs::find(JobId id) {
  Statement& st = db_.cached(std::string("SELECT ") + kColumns + " FROM jobs WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  Job j = readJob(st);
  st.reset();
  return j;
}

std::optional<JobStatus> SqlJobs::status(JobId id) {
  Statement& st = db_.cached(std::string("SELECT ") + kStatusColumns + " FROM jobs WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  JobStatus s = readStatus(st);
  st.reset();
  return s;
}

std::vector<JobStatus> SqlJobs::statusesIn(const std::vector<JobState>& states) {
  Statement& st = db_.cached(std::string("SELECT ") + kStatusColumns +
                             " FROM jobs WHERE state IN " + db_.jsonListValues(1) + " ORDER BY id");
  st.bind(1, stateList(states));
  std::vector<JobStatus> out;
  while (st.step()) out.push_back(readStatus(st));
  return out;
}

std::vector<Job> SqlJobs::inStates(const std::vector<JobState>& states, int64_t limit) {
  Statement& st = db_.cached(std::string("SELECT ") + kColumns +
                             " FROM jobs WHERE state IN " + db_.jsonListValues(1) + " ORDER BY id DESC LIMIT ?2");
  // A negative limit is none: SQLite reads LIMIT -1 so, PostgreSQL refuses it.
  st.bind(1, stateList(states)).bind(2, limit < 0 ? std::numeric_limits<int64_t>::max() : limit);
  std::vector<Job> out;
  while (st.step()) out.push_back(readJob(st));
  return out;
}

std::vector<Job> SqlJobs::recent(JobKind kind, JobId beforeId, int64_t limit) {
  // Through the (kind, id) index: as many rows read as shown, whatever the number of sign-up
  // codes and replies (transactional jobs) around them.
  Statement& st = db_.cached(std::string("SELECT ") + kColumns +
                             " FROM jobs WHERE kind = ?1 AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3");
  st.bind(1, jobKindName(kind)).bind(2, beforeId).bind(3, limit);
  std::vector<Job> out;
  while (st.step()) out.push_back(readJob(st));
  return out;
}

std::optional<JobId> SqlJobs::findByCapMessage(std::string_view sender, std::string_view identifier) {
  Statement& st = db_.cached(
      "SELECT id FROM jobs WHERE cap_sender = ?1 AND cap_identifier = ?2 AND kind = 'alert' ORDER BY id DESC LIMIT 1");
  st.bind(1, sender).bind(2, identifier);
  if (!st.step()) return std::nullopt;
  const JobId id = st.getInt(0);
  st.reset();
  return id;
}

void SqlJobs::setState(JobId id, JobState state, Timestamp at) {
  Statement& st = db_.cached("UPDATE jobs SET state = ?2, updated_at = ?3 WHERE id = ?1");
  st.bind(1, id).bind(2, jobStateName(state)).bind(3, toMicros(at));
  st.run();
}

void SqlJobs::approve(JobId id, const std::string& approver, Timestamp at) {
  Statement& st = db_.cached("UPDATE jobs SET state = 'approved', approved_by = ?2, updated_at = ?3 WHERE id = ?1");
  st.bind(1, id).bind(2, approver).bind(3, toMicros(at));
  st.run();
}

bool SqlJobs::replaceDraft(const Job& j, Timestamp at) {
  Statement& st = db_.cached(
      "UPDATE jobs SET title = ?2, body = ?3, sender = ?4, target = ?5, bearers = ?6, class = ?7, mode = ?8, "
      "details = ?9, expires_at = ?10, updated_at = ?11, cap_sender = ?12, cap_identifier = ?13 "
      "WHERE id = ?1 AND state = 'draft'");
  st.bind(1, j.id).bind(2, j.title).bind(3, encodeTexts(j.texts)).bind(4, j.sender).bind(5, encodeTarget(j.target));
  st.bind(6, encodeBearers(j.bearers)).bind(7, className(j.messageClass)).bind(8, modeName(j.mode));
  st.bind(9, encodeDetails(j.details)).bind(10, optionalMicros(j.expiresAt)).bind(11, toMicros(at));
  st.bind(12, capField(j, &CapOrigin::sender)).bind(13, capField(j, &CapOrigin::identifier));
  st.run();
  return db_.changes() == 1;
}

void SqlJobs::advanceExpansion(JobId id, ScanCursor cursor, int64_t added, Timestamp at) {
  Statement& st = db_.cached(
      "UPDATE jobs SET expand_cursor = ?2, recipients = recipients + ?3, updated_at = ?4 WHERE id = ?1");
  st.bind(1, id).bind(2, cursor).bind(3, added).bind(4, toMicros(at));
  st.run();
}

JobProgress SqlJobs::progress(JobId id) {
  counts_.flush();
  Statement& st = db_.cached("SELECT state, n FROM job_counts WHERE job_id = ?1 AND n <> 0");
  st.bind(1, id);
  JobProgress p;
  while (st.step())
    if (auto s = parseMessageState(st.getText(0))) p.counts[*s] = st.getInt(1);
  return p;
}

std::vector<ClassCount> SqlJobs::countsByClass() {
  counts_.flush();
  Statement& st = db_.cached(
      "SELECT j.class, c.state, sum(c.n) FROM job_counts c JOIN jobs j ON j.id = c.job_id "
      "GROUP BY j.class, c.state HAVING sum(c.n) <> 0 ORDER BY j.class, c.state");
  std::vector<ClassCount> out;
  while (st.step()) {
    const auto cls = parseClass(st.getText(0));
    const auto state = parseMessageState(st.getText(1));
    if (cls && state) out.push_back({*cls, *state, st.getInt(2)});
  }
  return out;
}

std::optional<JobRepository::RequestKey> SqlJobs::findRequestKey(const std::string& scope, const std::string& keyHash) {
  Statement& st = db_.cached("SELECT request_hash, job_id FROM job_request_keys WHERE scope = ?1 AND key_hash = ?2");
  st.bind(1, scope).bind(2, keyHash);
  if (!st.step()) return std::nullopt;
  RequestKey k{st.getText(0), st.getInt(1)};
  st.reset();
  return k;
}

void SqlJobs::rememberRequestKey(const std::string& scope, const std::string& keyHash, const RequestKey& key, Timestamp at,
                                    Timestamp forgetBefore) {
  Statement& forget = db_.cached("DELETE FROM job_request_keys WHERE created_at < ?1");
  forget.bind(1, toMicros(forgetBefore));
  forget.run();
  Statement& st = db_.cached(
      "INSERT INTO job_request_keys (scope, key_hash, request_hash, job_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  st.bind(1, scope).bind(2, keyHash).bind(3, key.requestHash).bind(4, key.job).bind(5, toMicros(at));
  st.run();
}

std::optional<std::string> SqlJobs::shopOf(JobId id) {
  Statement& st = db_.cached("SELECT substr(purpose, 12) FROM jobs WHERE id = ?1 AND purpose LIKE 'promotions:_%'");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  std::string shop = st.getText(0);
  st.reset();
  return shop;
}

}  // namespace tocsin::sql

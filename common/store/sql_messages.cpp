#include "common/store/repositories.h"

#include "common/base/json_text.h"

#include <algorithm>
#include <bit>
#include <unordered_map>
#include <unordered_set>

namespace tocsin::sql {
namespace {

std::optional<int64_t> optionalMicros(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return toMicros(*t);
}

MessageRecord readRecord(const Statement& st) {
  MessageRecord r;
  r.id = st.getInt(0);
  r.job = st.getInt(1);
  r.destination = st.getOptionalText(2);
  r.state = parseMessageState(st.getText(3)).value_or(MessageState::kQueued);
  r.attempts = static_cast<int>(st.getInt(4));
  r.bearer = st.getOptionalText(5);
  r.carrierIds = st.getOptionalText(6);
  r.lastError = st.getOptionalText(7);
  r.updatedAt = fromMicros(st.getInt(8));
  return r;
}

// The messages of job ?1: its id range (see messageId()).
#define TOCSIN_IN_JOB "id BETWEEN (?1 << 32) AND (?1 << 32) + 4294967295"

constexpr const char* kRecordColumns = "id, job_id, destination, state, attempts, bearer, carrier_ids, last_error, updated_at";

}  // namespace

int64_t SqlMessages::insert(const NewMessage& m) {
  Statement& st = db_.cached(
      "INSERT INTO messages (id, job_id, contact_id, destination, body, language, rank, state, not_before, bearer, "
      "last_error, created_at, updated_at) VALUES (?12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)");
  st.bind(12, messageId(m.job, m.sequence));
  st.bind(1, m.job).bind(2, m.contact).bind(3, m.destination).bind(4, m.body).bind(5, m.language).bind(6, m.rank);
  st.bind(7, messageStateName(m.state)).bind(8, optionalMicros(m.notBefore)).bind(9, m.bearer).bind(10, m.lastError);
  st.bind(11, toMicros(m.at));
  st.run();
  return messageId(m.job, m.sequence);
}

void JobCountLedger::add(JobId job, MessageState state, int64_t n) {
  for (Delta& d : pending_)
    if (d.job == job && d.state == state) {
      d.n += n;
      return;
    }
  pending_.push_back({job, state, n});
}

void JobCountLedger::flush() {
  if (pending_.empty()) return;
  Statement& st = db_.cached("INSERT INTO job_counts VALUES (?1, ?2, ?3) ON CONFLICT (job_id, state) DO UPDATE SET n = job_counts.n + excluded.n");
  for (const Delta& d : pending_) {
    if (d.n == 0) continue;
    st.bind(1, d.job).bind(2, messageStateName(d.state)).bind(3, d.n);
    st.run();
  }
  pending_.clear();
}

void SqlMessages::countInserted(JobId job, MessageState state, int64_t n) { counts_.add(job, state, n); }

int64_t SqlMessages::countReturned(Statement& st, MessageState from, MessageState to) {
  int64_t n = 0;
  while (st.step()) {
    counts_.move(st.getInt(0), from, to);
    ++n;
  }
  return n;
}

namespace {

std::string jsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i])
      if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) out += c;
    out += '"';
  }
  return out + "]";
}

}  // namespace

FanOutStep SqlMessages::fanOutAlert(const AlertFanOut& f) {
  FanOutStep step;
  const AudienceRange range = audienceRange(db_, f.from, f.batch, f.everyone ? std::vector<std::string>{} : f.zones);
  step.scan = range.step;
  if (range.step.scanned == 0) return step;
  // policy::alertAudience in SQL: a national alert reaches everyone; otherwise confirmed
  // consent or a municipal registration (import, cli, api) unless opted out; an opt-out is
  // refused with its date; kiosk-only contacts are not recipients. One pass over the range.
  const bool oneLanguage = f.languages.size() == 1;
  const std::string primary = "primary_language(c.language)";
  const std::string language = oneLanguage ? std::string("?5")
                                           : "CASE WHEN " + primary + " IN " + db_.jsonListValues(5) + " THEN " + primary +
                                                 " ELSE " + db_.jsonText("?5", "$[0]") + " END";
  const std::string inZone = range.zoneCondition(6);
  const std::string sql =
      "INSERT INTO messages (id, job_id, contact_id, destination, language, rank, state, last_error, created_at, updated_at) "
      "SELECT (?1 << 32) + c.id, ?1, c.id, c.phone, " + language + ", ?2, "
      "CASE WHEN ?10 <> 0 OR coalesce(s.state, '') <> 'withdrawn' THEN 'queued' ELSE 'refused' END, "
      "CASE WHEN ?10 <> 0 OR coalesce(s.state, '') <> 'withdrawn' THEN NULL "
      "ELSE 'opted out of public alerts on ' || " + db_.utcDate("s.since") + " END, ?8, ?8 "
      "FROM contacts c LEFT JOIN consent_state s ON s.contact_id = c.id AND s.purpose = 'alerts' "
      "WHERE c.id > ?3 AND c.id <= ?4" + inZone + " "
      "AND (?10 <> 0 OR s.state IN ('confirmed', 'withdrawn') OR c.source IN ('import', 'cli', 'api'))";
  Statement& st = db_.cached(sql);
  st.bind(1, f.job).bind(2, f.rank).bind(3, range.after).bind(4, range.last);
  if (oneLanguage) st.bind(5, f.languages[0]);
  else st.bind(5, jsonList(f.languages));
  if (range.zone) st.bind(6, *range.zone);
  st.bind(8, toMicros(f.at)).bind(10, f.national ? 1 : 0);
  st.run();
  const int64_t inserted = db_.changes();
  // How many of them are refusals: read back from the rows just written (in cache, one range).
  if (!f.national) {
    Statement& refused = db_.cached("SELECT count(*) FROM messages WHERE id > ?1 AND id <= ?2 AND state = 'refused'");
    refused.bind(1, messageId(f.job, range.after)).bind(2, messageId(f.job, range.last));
    step.refused = refused.step() ? refused.getInt(0) : 0;
    refused.reset();
  }
  step.queued = inserted - step.refused;
  countInserted(f.job, MessageState::kQueued, step.queued);
  countInserted(f.job, MessageState::kRefused, step.refused);
  return step;
}

std::vector<OutgoingMessage> SqlMessages::claim(int minRank, int64_t limit, Timestamp at, const std::vector<JobId>& skipJobs,
                                                   const Lease& lease) {
  std::vector<OutgoingMessage> out;
  if (limit <= 0) return out;
  constexpr const char* kPick =
      "SELECT id, job_id, contact_id, destination, body, language, rank, attempts, bearer FROM messages "
      "WHERE state = 'queued' AND rank >= ?1 ";
  Statement& pick = skipJobs.empty()
                        ? db_.cached(std::string(kPick) + "ORDER BY rank DESC, id LIMIT ?2" + db_.skipLocked())
                        : db_.cached(std::string(kPick) + "AND job_id NOT IN " + db_.jsonIntegerValues(3) +
                                     " ORDER BY rank DESC, id LIMIT ?2" + db_.skipLocked());
  pick.bind(1, minRank).bind(2, limit);
  if (!skipJobs.empty()) pick.bind(3, jsonIntegers(skipJobs));
  while (pick.step()) {
    OutgoingMessage m;
    m.id = pick.getInt(0);
    m.job = pick.getInt(1);
    m.contact = pick.getOptionalInt(2);
    m.destination = pick.getOptionalText(3).value_or("");
    m.body = pick.getOptionalText(4);
    m.language = pick.getOptionalText(5).value_or("");
    m.rank = static_cast<int>(pick.getInt(6));
    m.attempts = static_cast<int>(pick.getInt(7));
    m.bearer = pick.getOptionalText(8);
    out.push_back(std::move(m));
  }
  pick.reset();
  if (out.empty()) return out;
  // One statement marks them all, whatever their number.
  std::vector<int64_t> ids;
  for (const auto& m : out) {
    ids.push_back(m.id);
    counts_.move(m.job, MessageState::kQueued, MessageState::kSubmitted);
  }
  Statement& mark = db_.cached(
      "UPDATE messages SET state = 'submitted', attempts = attempts + 1, updated_at = ?2, claimed_by = ?3, "
      "lease_until = ?4 WHERE " + db_.integerIn("id", 1));
  const std::optional<std::string> holder = lease.node.empty() ? std::nullopt : std::optional<std::string>(lease.node);
  mark.bind(1, jsonIntegers(ids)).bind(2, toMicros(at)).bind(3, holder).bind(4, optionalMicros(lease.until));
  mark.run();
  return out;
}

void SqlMessages::record(const MessageOutcome& o, Timestamp at) {
  Statement& current = db_.cached("SELECT job_id, state FROM messages WHERE id = ?1");
  current.bind(1, o.id);
  if (!current.step()) return;  // no such message: nothing to record
  const JobId job = current.getInt(0);
  const auto before = parseMessageState(current.getText(1));
  current.reset();
  if (before) counts_.move(job, *before, o.state);
  Statement& st = db_.cached(
      "UPDATE messages SET state = ?2, bearer = coalesce(?3, bearer), carrier_ids = coalesce(?4, carrier_ids), "
      "parts = coalesce(?5, parts), last_error = coalesce(?6, last_error), not_before = ?7, "
      "attempts = CASE WHEN attempts + ?8 < 0 THEN 0 ELSE attempts + ?8 END, updated_at = ?9 WHERE id = ?1");
  st.bind(1, o.id).bind(2, messageStateName(o.state)).bind(3, o.bearer).bind(4, o.carrierIds);
  st.bind(5, o.parts ? std::optional<int64_t>(*o.parts) : std::nullopt).bind(6, o.error);
  st.bind(7, optionalMicros(o.notBefore)).bind(8, o.attemptDelta).bind(9, toMicros(at));
  st.run();
}

void SqlMessages::recordAll(const std::vector<MessageOutcome>& outcomes, Timestamp at) {
  // One statement applies a chunk, so a message appears in it once: a second outcome for the
  // same message (rare) starts the next chunk, which keeps the order.
  constexpr size_t kChunk = 1000;
  std::vector<MessageOutcome> chunk;
  std::unordered_set<int64_t> ids;
  auto apply = [&] {
    if (chunk.empty()) return;
    std::vector<int64_t> list;
    std::string rows = "[";
    for (const auto& o : chunk) {
      list.push_back(o.id);
      if (rows.size() > 1) rows += ',';
      rows += "{\"id\":" + std::to_string(o.id) + ",\"state\":" + jsonString(messageStateName(o.state));
      if (o.bearer) rows += ",\"bearer\":" + jsonString(*o.bearer);
      if (o.carrierIds) rows += ",\"carrier_ids\":" + jsonString(*o.carrierIds);
      if (o.parts) rows += ",\"parts\":" + std::to_string(*o.parts);
      if (o.error) rows += ",\"error\":" + jsonString(*o.error);
      if (o.notBefore) rows += ",\"not_before\":" + std::to_string(toMicros(*o.notBefore));
      rows += ",\"attempt_delta\":" + std::to_string(o.attemptDelta) + "}";
    }
    rows += "]";
    std::unordered_map<int64_t, std::pair<JobId, std::optional<MessageState>>> before;
    Statement& current = db_.cached("SELECT id, job_id, state FROM messages WHERE " + db_.integerIn("id", 1));
    current.bind(1, jsonIntegers(list));
    while (current.step()) before[current.getInt(0)] = {current.getInt(1), parseMessageState(current.getText(2))};
    current.reset();
    for (const auto& o : chunk)
      if (auto it = before.find(o.id); it != before.end() && it->second.second)
        counts_.move(it->second.first, *it->second.second, o.state);
    Statement& st = db_.cached(
        "UPDATE messages SET state = o.state, bearer = coalesce(o.bearer, messages.bearer), "
        "carrier_ids = coalesce(o.carrier_ids, messages.carrier_ids), parts = coalesce(o.parts, messages.parts), "
        "last_error = coalesce(o.error, messages.last_error), not_before = o.not_before, "
        "attempts = CASE WHEN messages.attempts + o.attempt_delta < 0 THEN 0 ELSE messages.attempts + o.attempt_delta END, "
        "updated_at = ?2 FROM " +
        db_.jsonRecords(1, "o", {{"id", "bigint"}, {"state", "text"}, {"bearer", "text"}, {"carrier_ids", "text"},
                                 {"parts", "bigint"}, {"error", "text"}, {"not_before", "bigint"}, {"attempt_delta", "bigint"}}) +
        " WHERE messages.id = o.id AND " + db_.integerIn("messages.id", 3));
    st.bind(1, rows).bind(2, toMicros(at)).bind(3, jsonIntegers(list));
    st.run();
    chunk.clear();
    ids.clear();
  };
  for (const auto& o : outcomes) {
    if (chunk.size() == kChunk || ids.count(o.id)) apply();
    ids.insert(o.id);
    chunk.push_back(o);
  }
  apply();
}

int64_t SqlMessages::releaseWaiting(Timestamp now) {
  Statement& st = db_.cached(
      "UPDATE messages SET state = 'queued', not_before = NULL, updated_at = ?1 "
      "WHERE state = 'waiting' AND not_before <= ?1 RETURNING job_id");
  st.bind(1, toMicros(now));
  return countReturned(st, MessageState::kWaiting, MessageState::kQueued);
}

std::optional<Timestamp> SqlMessages::nextWaiting() {
  Statement& st = db_.cached("SELECT min(not_before) FROM messages WHERE state = 'waiting'");
  if (!st.step() || st.isNull(0)) return std::nullopt;
  return fromMicros(st.getInt(0));
}

int64_t SqlMessages::requeueSubmitted(const std::string& reason, Timestamp at, const std::string& node) {
  Statement& st = db_.cached(
      "UPDATE messages SET state = 'queued', last_error = ?1, updated_at = ?2, claimed_by = NULL, lease_until = NULL "
      "WHERE state = 'submitted' AND (?3 = '' OR claimed_by IS NULL OR claimed_by = ?3 OR lease_until < ?2) "
      "RETURNING job_id");
  st.bind(1, reason).bind(2, toMicros(at)).bind(3, node);
  return countReturned(st, MessageState::kSubmitted, MessageState::kQueued);
}

int64_t SqlMessages::requeueExpired(const std::string& reason, Timestamp at) {
  Statement& st = db_.cached(
      "UPDATE messages SET state = 'queued', last_error = ?1, updated_at = ?2, claimed_by = NULL, lease_until = NULL "
      "WHERE state = 'submitted' AND lease_until < ?2 RETURNING job_id");
  st.bind(1, reason).bind(2, toMicros(at));
  return countReturned(st, MessageState::kSubmitted, MessageState::kQueued);
}

int64_t SqlMessages::renewLeases(const Lease& lease, const std::vector<int64_t>& ids) {
  if (lease.node.empty() || ids.empty()) return 0;
  Statement& st = db_.cached(std::string("UPDATE messages SET lease_until = ?2 WHERE state = 'submitted' AND claimed_by = ?1 "
                                         "AND ") + db_.integerIn("id", 3));
  st.bind(1, lease.node).bind(2, optionalMicros(lease.until)).bind(3, jsonIntegers(ids));
  st.run();
  return db_.changes();
}

int64_t SqlMessages::finishPending(JobId job, MessageState state, const std::string& reason, Timestamp at) {
  Statement& st = db_.cached(
      "UPDATE messages SET state = ?2, last_error = ?3, updated_at = ?4 WHERE " TOCSIN_IN_JOB " AND state = ?5");
  int64_t total = 0;
  for (MessageState from : {MessageState::kQueued, MessageState::kWaiting}) {
    st.bind(1, job).bind(2, messageStateName(state)).bind(3, reason).bind(4, toMicros(at)).bind(5, messageStateName(from));
    st.run();
    const int64_t n = db_.changes();
    counts_.move(job, from, state, n);
    total += n;
  }
  return total;
}

int64_t SqlMessages::holdQueued(JobId job, Timestamp at) {
  Statement& st = db_.cached(
      "UPDATE messages SET state = 'waiting', not_before = NULL, updated_at = ?2 "
      "WHERE " TOCSIN_IN_JOB " AND state = 'queued'");
  st.bind(1, job).bind(2, toMicros(at));
  st.run();
  const int64_t n = db_.changes();
  counts_.move(job, MessageState::kQueued, MessageState::kWaiting, n);
  return n;
}

int64_t SqlMessages::releaseHeld(JobId job, Timestamp at) {
  Statement& st = db_.cached(
      "UPDATE messages SET state = 'queued', updated_at = ?2 "
      "WHERE " TOCSIN_IN_JOB " AND state = 'waiting' AND not_before IS NULL");
  st.bind(1, job).bind(2, toMicros(at));
  st.run();
  const int64_t n = db_.changes();
  counts_.move(job, MessageState::kWaiting, MessageState::kQueued, n);
  return n;
}

bool SqlMessages::anyPendingAtOrAbove(int rank) {
  // The rank is written into the statement (a small integer of ours, one statement per rank):
  // with it as a parameter, PostgreSQL's generic plan scanned every message on every pass; with
  // it known, each state's partial index is entered at that rank, and the claimed promotions'
  // leftover entries below it are never walked.
  const std::string at = std::to_string(rank);
  Statement& st = db_.cached(
      "SELECT EXISTS (SELECT 1 FROM messages WHERE state = 'queued' AND rank >= " + at + ") OR "
      "EXISTS (SELECT 1 FROM messages WHERE state = 'waiting' AND rank >= " + at + ") OR "
      "EXISTS (SELECT 1 FROM messages WHERE state = 'submitted' AND rank >= " + at + ")");
  const bool pending = st.step() && st.getInt(0) != 0;
  st.reset();
  return pending;
}

std::pair<int, std::optional<Timestamp>> SqlMessages::recentPromotional(ContactId contact, Timestamp since) {
  Statement& st = db_.cached(
      "SELECT count(*), min(updated_at) FROM messages WHERE contact_id = ?1 AND rank = 0 AND updated_at >= ?2 "
      "AND state IN ('submitted', 'sent', 'delivered')");
  st.bind(1, contact).bind(2, toMicros(since));
  if (!st.step()) return {0, std::nullopt};
  const int n = static_cast<int>(st.getInt(0));
  if (n == 0) return {0, std::nullopt};
  return {n, fromMicros(st.getInt(1))};
}

void SqlMessages::addDeliveryReport(const DeliveryReport& r) {
  Statement& st = db_.cached(
      "INSERT INTO delivery_reports (message_id, part, bearer, carrier_id, status, detail, received_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  st.bind(1, r.message).bind(2, r.part).bind(3, r.bearer).bind(4, r.carrierId).bind(5, r.status).bind(6, r.detail);
  st.bind(7, toMicros(r.receivedAt));
  st.run();
}

bool SqlMessages::recordPartDelivered(int64_t id, int part) {
  // One bit per part; parts beyond the 63rd (longer than any class allows) share the last bit.
  Statement& st = db_.cached(
      "UPDATE messages SET delivered_parts = delivered_parts | (CAST(1 AS BIGINT) << CAST(?2 AS INTEGER)) WHERE id = ?1 RETURNING parts, delivered_parts");
  st.bind(1, id).bind(2, std::clamp(part, 0, 62));
  if (!st.step()) return false;
  const int64_t parts = std::clamp<int64_t>(st.getOptionalInt(0).value_or(1), 1, 63);
  const auto mask = static_cast<uint64_t>(st.getInt(1));
  st.reset();
  return std::popcount(mask) >= parts;
}

std::vector<MessageRecord> SqlMessages::ofJob(JobId job, std::optional<MessageState> state, int64_t afterId,
                                                int64_t limit) {
  Statement& st = db_.cached(std::string("SELECT ") + kRecordColumns +
                             " FROM messages WHERE id BETWEEN CASE WHEN (?1 << 32) > ?3 + 1 THEN (?1 << 32) ELSE ?3 + 1 END AND (?1 << 32) + 4294967295 "
                             "AND (CAST(?2 AS TEXT) IS NULL OR state = ?2) "
                             "ORDER BY id LIMIT ?4");
  st.bind(1, job).bind(2, state ? std::optional<std::string>(messageStateName(*state)) : std::nullopt);
  st.bind(3, afterId).bind(4, limit);
  std::vector<MessageRecord> out;
  while (st.step()) out.push_back(readRecord(st));
  return out;
}

std::optional<MessageRecord> SqlMessages::find(int64_t id) {
  Statement& st = db_.cached(std::string("SELECT ") + kRecordColumns + " FROM messages WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return readRecord(st);
}

std::vector<MessageTally> SqlMessages::tally(JobId job, size_t maxRows) {
  Statement& st = db_.cached(
      "SELECT coalesce(bearer, ''), state, "
      "CASE WHEN state IN ('failed', 'expired', 'cancelled', 'refused') THEN coalesce(last_error, '') ELSE '' END, "
      "count(*) FROM messages WHERE " TOCSIN_IN_JOB " GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT ?2");
  st.bind(1, job).bind(2, static_cast<int64_t>(maxRows));
  std::vector<MessageTally> out;
  while (st.step())
    if (auto s = parseMessageState(st.getText(1))) out.push_back({st.getText(0), *s, st.getText(2), st.getInt(3)});
  return out;
}

std::vector<ZoneTally> SqlMessages::tallyByZone(JobId job, size_t maxRows) {
  Statement& st = db_.cached(
      "SELECT coalesce(c.zone, ''), m.state, count(*) FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id "
      "WHERE m.id BETWEEN (?1 << 32) AND (?1 << 32) + 4294967295 GROUP BY 1, 2 ORDER BY 1, 2 LIMIT ?2");
  st.bind(1, job).bind(2, static_cast<int64_t>(maxRows));
  std::vector<ZoneTally> out;
  while (st.step())
    if (auto s = parseMessageState(st.getText(1))) out.push_back({st.getText(0), *s, st.getInt(2)});
  return out;
}

}  // namespace tocsin::sql

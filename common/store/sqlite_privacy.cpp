#include "common/store/sqlite_repositories.h"

namespace tocsin::sql {
namespace {

// Messages whose outcome is settled as far as Tocsin can know (a sent message may never get a
// receipt); only these are scrubbed by retention.
constexpr const char* kFinalStates = "('sent', 'delivered', 'failed', 'expired', 'cancelled', 'refused')";

int64_t runCounting(Database& db, const std::string& sql, int64_t cutoff) {
  Statement& st = db.cached(sql);
  st.bind(1, cutoff);
  st.run();
  return db.changes();
}

}  // namespace

ErasureCounts SqlitePrivacy::eraseContact(ContactId contact) {
  ErasureCounts counts;
  PurgeGate gate(db_);
  std::optional<std::string> phone;
  {
    Statement& find = db_.cached("SELECT phone FROM contacts WHERE id = ?1");
    find.bind(1, contact);
    if (find.step()) phone = find.getText(0);
  }
  Statement& events = db_.cached("DELETE FROM consent_events WHERE contact_id = ?1");
  events.bind(1, contact);
  events.run();
  counts.consentEvents = db_.changes();

  Statement& messages = db_.cached(
      "UPDATE messages SET destination = NULL, body = NULL, contact_id = NULL, scrubbed_at = updated_at "
      "WHERE contact_id = ?1");
  messages.bind(1, contact);
  messages.run();
  counts.messagesScrubbed = db_.changes();
  if (phone) {
    // Messages and replies to the number that were never linked to the contact (a reply to an
    // unknown sender, say), and what the number sent us.
    Statement& byNumber = db_.cached(
        "UPDATE messages SET destination = NULL, body = NULL, scrubbed_at = updated_at WHERE destination = ?1");
    byNumber.bind(1, *phone);
    byNumber.run();
    counts.messagesScrubbed += db_.changes();
    Statement& incoming = db_.cached("DELETE FROM incoming_messages WHERE sender = ?1");
    incoming.bind(1, *phone);
    incoming.run();
  }

  Statement& row = db_.cached("DELETE FROM contacts WHERE id = ?1");
  row.bind(1, contact);
  row.run();
  counts.contacts = db_.changes();
  return counts;
}

int64_t SqlitePrivacy::scrubMessagesBefore(Timestamp cutoff) {
  const int64_t t = toMicros(cutoff);
  int64_t n = runCounting(db_,
                          std::string("UPDATE messages SET destination = NULL, body = NULL, contact_id = NULL, "
                                      "scrubbed_at = ?1 WHERE scrubbed_at IS NULL AND updated_at < ?1 AND state IN ") +
                              kFinalStates,
                          t);
  n += runCounting(db_,
                   "UPDATE incoming_messages SET sender = NULL, recipient = NULL, body = NULL, scrubbed_at = ?1 "
                   "WHERE scrubbed_at IS NULL AND received_at < ?1",
                   t);
  // A job's text goes once none of its messages is still pending.
  n += runCounting(db_,
                   std::string("UPDATE jobs SET body = NULL, scrubbed_at = ?1 WHERE scrubbed_at IS NULL AND "
                               "created_at < ?1 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id BETWEEN (jobs.id << 32) AND "
                               "(jobs.id << 32) + 4294967295 "
                               "AND m.state NOT IN ") +
                       kFinalStates + ")",
                   t);
  return n;
}

int64_t SqlitePrivacy::deleteDeliveryReportsBefore(Timestamp cutoff) {
  return runCounting(db_, "DELETE FROM delivery_reports WHERE received_at < ?1", toMicros(cutoff));
}

int64_t SqlitePrivacy::deleteUnconfirmedSignupsBefore(Timestamp cutoff) {
  PurgeGate gate(db_);
  // A grant is pending while nothing else was recorded after it for the same contact and purpose.
  const int64_t grants = runCounting(
      db_,
      "DELETE FROM consent_events WHERE action = 'granted' AND recorded_at < ?1 AND NOT EXISTS ("
      "SELECT 1 FROM consent_events later WHERE later.contact_id = consent_events.contact_id "
      "AND later.purpose = consent_events.purpose AND later.id > consent_events.id)",
      toMicros(cutoff));
  // Contacts who came in only through a sign-up and have no consent history left.
  Statement& orphans = db_.cached(
      "SELECT id FROM contacts WHERE (source IN ('kiosk', 'sms') OR source LIKE 'shop:%') AND updated_at < ?1 AND NOT EXISTS "
      "(SELECT 1 FROM consent_events e WHERE e.contact_id = contacts.id)");
  orphans.bind(1, toMicros(cutoff));
  std::vector<ContactId> ids;
  while (orphans.step()) ids.push_back(orphans.getInt(0));
  for (ContactId id : ids) eraseContact(id);
  return grants;
}

int64_t SqlitePrivacy::deleteContactsWithoutConsentBefore(Timestamp cutoff, std::vector<std::string>& withdrawnPhones) {
  // Last activity: the contact's own last change or its newest consent event.
  Statement& st = db_.cached(
      "SELECT c.id, c.phone, EXISTS (SELECT 1 FROM consent_events w WHERE w.contact_id = c.id AND "
      "w.action = 'withdrawn') FROM contacts c WHERE c.updated_at < ?1 "
      "AND COALESCE((SELECT max(e.recorded_at) FROM consent_events e WHERE e.contact_id = c.id), 0) < ?1 "
      "AND NOT EXISTS (SELECT 1 FROM consent_events ok WHERE ok.contact_id = c.id AND ok.action = 'confirmed' "
      "AND NOT EXISTS (SELECT 1 FROM consent_events w WHERE w.contact_id = c.id AND w.purpose = ok.purpose "
      "AND w.action = 'withdrawn' AND w.id > ok.id))");
  st.bind(1, toMicros(cutoff));
  std::vector<ContactId> ids;
  while (st.step()) {
    ids.push_back(st.getInt(0));
    if (st.getInt(2) != 0) withdrawnPhones.push_back(st.getText(1));
  }
  for (ContactId id : ids) eraseContact(id);
  return static_cast<int64_t>(ids.size());
}

int64_t SqlitePrivacy::deleteSuppressionsBefore(Timestamp cutoff) {
  return runCounting(db_, "DELETE FROM suppressions WHERE created_at < ?1", toMicros(cutoff));
}

}  // namespace tocsin::sql

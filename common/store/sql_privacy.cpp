#include "common/store/repositories.h"

#include "common/store/row_digest.h"

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

void SqlPrivacy::removedConsentEvents(Statement& returningIds, const std::string& reason) {
  while (returningIds.step()) proven_.push_back({{kProvenConsentEvents, std::to_string(returningIds.getInt(0)), {}, {}}, true, reason});
}

ErasureCounts SqlPrivacy::eraseNumber(std::optional<ContactId> contact, const std::string& phone,
                                         const std::string& reason) {
  ErasureCounts counts;
  PurgeGate gate(db_);
  // The messages sent to the number, whether or not they were linked to its contact.
  std::vector<int64_t> messageIds;
  {
    const auto st = db_.prepare("UPDATE messages SET destination = NULL, body = NULL, contact_id = NULL, last_error = NULL, "
                 "carrier_ids = NULL, scrubbed_at = updated_at WHERE (CAST(?1 AS BIGINT) IS NOT NULL AND contact_id = ?1) OR "
                 "destination = ?2 RETURNING id");
    st->bind(1, contact).bind(2, phone);
    while (st->step()) messageIds.push_back(st->getInt(0));
    counts.messagesScrubbed = static_cast<int64_t>(messageIds.size());
  }
  {
    const auto receipts = db_.prepare("DELETE FROM delivery_reports WHERE message_id = ?1");
    const auto posts = db_.prepare(std::string("DELETE FROM webhook_deliveries WHERE json_valid(payload) AND ") +
                    db_.jsonText("payload", "$.message_id") + " = CAST(?1 AS TEXT)");
    for (int64_t id : messageIds) {
      receipts->bind(1, id);
      receipts->run();
      counts.deliveryReports += db_.changes();
      receipts->reset();
      posts->bind(1, id);
      posts->run();
      counts.webhookDeliveries += db_.changes();
      posts->reset();
    }
  }
  // Posts that quote the number (incoming messages, a receipt's detail).
  {
    const auto st = db_.prepare("DELETE FROM webhook_deliveries WHERE instr(payload, ?1) > 0");
    st->bind(1, phone);
    st->run();
    counts.webhookDeliveries += db_.changes();
  }
  {
    const auto st = db_.prepare("DELETE FROM incoming_messages WHERE sender = ?2 OR (CAST(?1 AS BIGINT) IS NOT NULL AND contact_id = ?1)");
    st->bind(1, contact).bind(2, phone);
    st->run();
    counts.incoming = db_.changes();
  }
  {
    const auto st = db_.prepare("DELETE FROM signups WHERE phone = ?1");
    st->bind(1, phone);
    st->run();
    counts.signups = db_.changes();
  }
  {
    // A transactional job names its one recipient in its target.
    const auto st = db_.prepare("UPDATE jobs SET target = replace(target, ?1, '\"erased\"') WHERE instr(target, ?1) > 0");
    st->bind(1, "\"" + phone + "\"");
    st->run();
    counts.jobTargets = db_.changes();
  }
  {
    // A shop's owner who asked to be erased: the shop keeps no number until an admin gives one.
    const auto st = db_.prepare("UPDATE shops SET owner_phone = NULL WHERE owner_phone = ?1");
    st->bind(1, phone);
    st->run();
  }
  if (contact) {
    // Shops' lists and tags, and the short links made for the person (a URL may hold their name).
    for (const char* sql : {"DELETE FROM list_members WHERE contact_id = ?1", "DELETE FROM contact_tags WHERE contact_id = ?1",
                            "DELETE FROM links WHERE contact_id = ?1"}) {
      const auto st = db_.prepare(sql);
      st->bind(1, *contact);
      st->run();
    }
    const auto events = db_.prepare("DELETE FROM consent_events WHERE contact_id = ?1 RETURNING id");
    events->bind(1, *contact);
    const size_t before = proven_.size();
    removedConsentEvents(*events, reason);
    counts.consentEvents = static_cast<int64_t>(proven_.size() - before);
    const auto row = db_.prepare("DELETE FROM contacts WHERE id = ?1");
    row->bind(1, *contact);
    row->run();
    counts.contacts = db_.changes();
  }
  return counts;
}

int64_t SqlPrivacy::scrubMessagesBefore(Timestamp cutoff) {
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

int64_t SqlPrivacy::deleteDeliveryReportsBefore(Timestamp cutoff) {
  return runCounting(db_, "DELETE FROM delivery_reports WHERE received_at < ?1", toMicros(cutoff));
}

int64_t SqlPrivacy::deleteUnconfirmedSignupsBefore(Timestamp cutoff) {
  PurgeGate gate(db_);
  // A grant is pending while nothing else was recorded after it for the same contact and purpose.
  const auto del = db_.prepare("DELETE FROM consent_events WHERE action = 'granted' AND recorded_at < ?1 AND NOT EXISTS ("
                "SELECT 1 FROM consent_events later WHERE later.contact_id = consent_events.contact_id "
                "AND later.purpose = consent_events.purpose AND later.id > consent_events.id) RETURNING id");
  del->bind(1, toMicros(cutoff));
  const size_t before = proven_.size();
  removedConsentEvents(*del, "retention");
  const auto grants = static_cast<int64_t>(proven_.size() - before);
  // Contacts who came in only through a sign-up and have no consent history left.
  Statement& orphans = db_.cached(
      "SELECT id, phone FROM contacts WHERE (source IN ('kiosk', 'sms') OR source LIKE 'shop:%') AND updated_at < ?1 AND NOT EXISTS "
      "(SELECT 1 FROM consent_events e WHERE e.contact_id = contacts.id)");
  orphans.bind(1, toMicros(cutoff));
  std::vector<std::pair<ContactId, std::string>> found;
  while (orphans.step()) found.emplace_back(orphans.getInt(0), orphans.getText(1));
  for (const auto& [id, phone] : found) eraseNumber(id, phone, "retention");
  return grants;
}

int64_t SqlPrivacy::deleteContactsWithoutConsentBefore(Timestamp cutoff, std::vector<std::string>& withdrawnPhones) {
  // Last activity: the contact's own last change or its newest consent event.
  Statement& st = db_.cached(
      "SELECT c.id, c.phone, EXISTS (SELECT 1 FROM consent_events w WHERE w.contact_id = c.id AND "
      "w.action = 'withdrawn') FROM contacts c WHERE c.updated_at < ?1 "
      "AND COALESCE((SELECT max(e.recorded_at) FROM consent_events e WHERE e.contact_id = c.id), 0) < ?1 "
      "AND NOT EXISTS (SELECT 1 FROM consent_events ok WHERE ok.contact_id = c.id AND ok.action = 'confirmed' "
      "AND NOT EXISTS (SELECT 1 FROM consent_events w WHERE w.contact_id = c.id AND w.purpose = ok.purpose "
      "AND w.action = 'withdrawn' AND w.id > ok.id))");
  st.bind(1, toMicros(cutoff));
  std::vector<std::pair<ContactId, std::string>> found;
  while (st.step()) {
    found.emplace_back(st.getInt(0), st.getText(1));
    if (st.getInt(2) != 0) withdrawnPhones.push_back(st.getText(1));
  }
  st.reset();
  for (const auto& [id, phone] : found) eraseNumber(id, phone, "retention");
  return static_cast<int64_t>(found.size());
}

int64_t SqlPrivacy::deleteSuppressionsBefore(Timestamp cutoff) {
  const auto st = db_.prepare("DELETE FROM suppressions WHERE created_at < ?1 RETURNING fingerprint");
  st->bind(1, toMicros(cutoff));
  int64_t n = 0;
  while (st->step()) {
    proven_.push_back({{kProvenSuppressions, suppressionKey(digestFromBlob(st->getBlob(0))), {}, {}}, true, "retention"});
    ++n;
  }
  return n;
}

PersonRecords SqlPrivacy::personRecords(std::optional<ContactId> contact, const std::string& phone) {
  PersonRecords r;
  {
    const auto st = db_.prepare("SELECT m.id, m.job_id, j.kind, j.class, j.title, m.state, m.bearer, m.created_at, m.updated_at "
                 "FROM messages m JOIN jobs j ON j.id = m.job_id WHERE (CAST(?1 AS BIGINT) IS NOT NULL AND m.contact_id = ?1) OR "
                 "m.destination = ?2 ORDER BY m.created_at, m.id");
    st->bind(1, contact).bind(2, phone);
    while (st->step())
      r.messages.push_back({st->getInt(0), st->getInt(1), st->getText(2), st->getText(3), st->getText(4), st->getText(5),
                            st->getOptionalText(6), fromMicros(st->getInt(7)), fromMicros(st->getInt(8))});
  }
  {
    const auto st = db_.prepare("SELECT id, body, intent, outcome, bearer, received_at FROM incoming_messages WHERE sender = ?2 OR "
                 "(CAST(?1 AS BIGINT) IS NOT NULL AND contact_id = ?1) ORDER BY received_at, id");
    st->bind(1, contact).bind(2, phone);
    while (st->step())
      r.incoming.push_back({st->getInt(0), st->getOptionalText(1), st->getText(2), st->getText(3), st->getText(4),
                            fromMicros(st->getInt(5))});
  }
  const auto signups = db_.prepare("SELECT count(*) FROM signups WHERE phone = ?1 AND used_at IS NULL");
  signups->bind(1, phone);
  if (signups->step()) r.pendingSignups = signups->getInt(0);
  return r;
}

ProcessingCounts SqlPrivacy::processingCounts() {
  ProcessingCounts c;
  c.contacts = db_.queryInt("SELECT count(*) FROM contacts");
  c.contactsWithName = db_.queryInt("SELECT count(*) FROM contacts WHERE name IS NOT NULL");
  c.consentEvents = db_.queryInt("SELECT count(*) FROM consent_events");
  c.consentTexts = db_.queryInt("SELECT count(*) FROM consent_texts");
  c.suppressions = db_.queryInt("SELECT count(*) FROM suppressions");
  c.messagesWithRecipient = db_.queryInt("SELECT count(*) FROM messages WHERE destination IS NOT NULL");
  c.incomingWithSender = db_.queryInt("SELECT count(*) FROM incoming_messages WHERE sender IS NOT NULL");
  c.pendingSignups = db_.queryInt("SELECT count(*) FROM signups WHERE used_at IS NULL");
  c.webhookDeliveries = db_.queryInt("SELECT count(*) FROM webhook_deliveries");
  c.auditEntries = db_.queryInt("SELECT count(*) FROM audit_log");
  const auto st = db_.prepare("SELECT purpose, state, count(*) FROM consent_state GROUP BY purpose, state ORDER BY 1, 2");
  while (st->step()) c.standings.emplace_back(st->getText(0), st->getText(1), st->getInt(2));
  return c;
}

}  // namespace tocsin::sql

// Webhooks and their outbox.
#include <sstream>

#include "common/store/repositories.h"

namespace tocsin::sql {
namespace {

constexpr const char* kColumns = "id, name, url, events, secret, created_by, created_at, disabled_at, shop";

Webhook readWebhook(Statement& st) {
  Webhook w;
  w.id = st.getInt(0);
  w.name = st.getText(1);
  w.url = st.getText(2);
  std::istringstream events(st.getText(3));
  for (std::string e; events >> e;) w.events.push_back(e);
  w.secret = st.getText(4);
  w.createdBy = st.getText(5);
  w.createdAt = fromMicros(st.getInt(6));
  if (auto d = st.getOptionalInt(7)) w.disabledAt = fromMicros(*d);
  w.shop = st.getOptionalText(8);
  return w;
}

}  // namespace

int64_t SqlWebhooks::insert(const Webhook& w) {
  std::string events;
  for (const auto& e : w.events) events += (events.empty() ? "" : " ") + e;
  Statement& st = db_.cached(
      "INSERT INTO webhooks (name, url, events, secret, created_by, created_at, shop) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
  st.bind(1, w.name).bind(2, w.url).bind(3, events).bind(4, w.secret).bind(5, w.createdBy).bind(6, toMicros(w.createdAt));
  st.bind(7, w.shop);
  return insertedId(st).value_or(0);
}

std::optional<Webhook> SqlWebhooks::findByName(const std::string& name) {
  Statement& st = db_.cached(std::string("SELECT ") + kColumns + " FROM webhooks WHERE name = ?1");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return readWebhook(st);
}

std::vector<Webhook> SqlWebhooks::list() {
  Statement& st = db_.cached(std::string("SELECT ") + kColumns + " FROM webhooks ORDER BY id");
  std::vector<Webhook> out;
  while (st.step()) out.push_back(readWebhook(st));
  return out;
}

void SqlWebhooks::disable(int64_t id, Timestamp at) {
  Statement& st = db_.cached("UPDATE webhooks SET disabled_at = ?2 WHERE id = ?1 AND disabled_at IS NULL");
  st.bind(1, id).bind(2, toMicros(at));
  st.run();
  Statement& drop = db_.cached("UPDATE webhook_deliveries SET state = 'failed', last_error = 'webhook disabled', "
                               "updated_at = ?2 WHERE webhook_id = ?1 AND state = 'pending'");
  drop.bind(1, id).bind(2, toMicros(at));
  drop.run();
}

int64_t SqlWebhooks::enqueue(const std::string& event, const std::string& payload, Timestamp at,
                                const std::optional<std::string>& shop) {
  Statement& st = db_.cached(
      "INSERT INTO webhook_deliveries (webhook_id, event, payload, state, next_at, created_at, updated_at) "
      "SELECT id, ?1, ?2, 'pending', ?3, ?3, ?3 FROM webhooks "
      "WHERE disabled_at IS NULL AND (' ' || events || ' ') LIKE ('% ' || ?1 || ' %') AND (shop IS NULL OR shop = ?4)");
  st.bind(1, event).bind(2, payload).bind(3, toMicros(at)).bind(4, shop);
  st.run();
  return db_.changes();
}

std::vector<WebhookDelivery> SqlWebhooks::takeDue(Timestamp now, int64_t limit, Timestamp heldUntil) {
  Statement& st = db_.cached(
      std::string("SELECT d.id, d.webhook_id, w.url, w.secret, d.event, d.payload, d.attempts FROM webhook_deliveries d "
                  "JOIN webhooks w ON w.id = d.webhook_id WHERE d.state = 'pending' AND d.next_at <= ?1 "
                  "ORDER BY d.next_at, d.id LIMIT ?2") +
      (db_.engine() == Engine::kPostgres ? " FOR UPDATE OF d SKIP LOCKED" : ""));
  st.bind(1, toMicros(now)).bind(2, limit);
  std::vector<WebhookDelivery> out;
  while (st.step())
    out.push_back({st.getInt(0), st.getInt(1), st.getText(2), st.getText(3), st.getText(4), st.getText(5),
                   static_cast<int>(st.getInt(6))});
  st.reset();
  Statement& hold = db_.cached("UPDATE webhook_deliveries SET next_at = ?2 WHERE id = ?1");
  for (const auto& d : out) {
    hold.bind(1, d.id).bind(2, toMicros(heldUntil));
    hold.run();
  }
  return out;
}

void SqlWebhooks::delivered(int64_t id, Timestamp at) {
  Statement& st = db_.cached("UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, last_error = NULL, "
                             "updated_at = ?2 WHERE id = ?1");
  st.bind(1, id).bind(2, toMicros(at));
  st.run();
}

void SqlWebhooks::retryAt(int64_t id, Timestamp next, const std::string& error, Timestamp at) {
  Statement& st = db_.cached("UPDATE webhook_deliveries SET attempts = attempts + 1, next_at = ?2, last_error = ?3, "
                             "updated_at = ?4 WHERE id = ?1");
  st.bind(1, id).bind(2, toMicros(next)).bind(3, error).bind(4, toMicros(at));
  st.run();
}

void SqlWebhooks::failed(int64_t id, const std::string& error, Timestamp at) {
  Statement& st = db_.cached("UPDATE webhook_deliveries SET state = 'failed', attempts = attempts + 1, last_error = ?2, "
                             "updated_at = ?3 WHERE id = ?1");
  st.bind(1, id).bind(2, error).bind(3, toMicros(at));
  st.run();
}

int64_t SqlWebhooks::deleteEndedBefore(Timestamp cutoff) {
  Statement& st = db_.cached("DELETE FROM webhook_deliveries WHERE state <> 'pending' AND updated_at < ?1");
  st.bind(1, toMicros(cutoff));
  st.run();
  return db_.changes();
}

std::optional<Timestamp> SqlWebhooks::nextDue() {
  Statement& st = db_.cached("SELECT min(next_at) FROM webhook_deliveries WHERE state = 'pending'");
  if (!st.step() || st.isNull(0)) return std::nullopt;
  return fromMicros(st.getInt(0));
}

}  // namespace tocsin::sql

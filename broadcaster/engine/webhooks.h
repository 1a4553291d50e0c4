// Webhooks: delivery reports and incoming messages posted to the operator's own systems.
//
// Events are put in an outbox in the same transaction that records them (so none is lost when
// the daemon stops), then WebhookSender posts them: JSON, signed with the webhook's secret
// (X-Tocsin-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">), with the
// delivery id as an idempotency key. A failure is retried with exponential backoff (1 s
// doubling to 1 h) up to 12 attempts; ended deliveries are deleted after a week.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <Poco/JSON/Object.h>

#include "common/base/clock.h"
#include "common/store/store.h"

namespace tocsin::engine {

// What the outbox holds for each event (JSON).
std::string deliveryEventJson(const DeliveryReport& report);
std::string incomingEventJson(const IncomingRecord& message, int64_t id);

// "t=...,v1=..." for `body` at `unixSeconds` with the hex `secret`.
std::string webhookSignature(const std::string& secretHex, int64_t unixSeconds, const std::string& body);

// Posting one request: the seam tests replace. Returns the HTTP status, or an error for a
// failure to connect, a timeout, a TLS failure.
class HttpPoster {
 public:
  virtual ~HttpPoster() = default;
  virtual Result<int> post(const std::string& url, const std::map<std::string, std::string>& headers,
                           const std::string& body) = 0;
};

// Poco HTTP(S) client, 10 s timeout; https uses the system's trust store.
std::unique_ptr<HttpPoster> makeHttpPoster();

// Where webhooks may go: loopback (http or https), and https to the hosts the configuration's
// "webhooks": {"allowed_hosts": [...]} names; nowhere else, so a webhook cannot reach into the
// appliance's own network.
Status validateWebhookUrl(const std::string& url, const std::vector<std::string>& allowedHosts);
Result<std::vector<std::string>> parseWebhookHosts(const Poco::JSON::Object::Ptr& document);

struct WebhookSenderOptions {
  int maxAttempts = 12;
  Micros firstRetry = std::chrono::seconds(1);
  Micros maxRetry = std::chrono::hours(1);
  Micros keepEnded = std::chrono::hours(24 * 7);
  int64_t batch = 50;
  std::vector<std::string> allowedHosts;  // checked again before each post
};

// Posts the outbox. runOnce() is one round (tests drive it by hand); start() runs rounds on its
// own thread, sleeping on the clock until the next delivery is due or notify() says new ones
// are in the outbox, and clears ended deliveries once an hour. Idle, it neither reads nor
// writes the store.
class WebhookSender {
 public:
  WebhookSender(Store& store, Clock& clock, HttpPoster& poster, WebhookSenderOptions options = {})
      : store_(store), clock_(clock), poster_(poster), options_(options) {}
  ~WebhookSender();
  // Posts what is due (one read, then one write per delivery); returns how many were posted
  // successfully.
  Result<int> runOnce();
  // Deletes deliveries that ended before the keeping period.
  Status clearEnded();

  void start(std::function<void(const std::string&)> onError);
  // New deliveries are in the outbox. Thread-safe.
  void notify() { wakeup_.notify(); }
  void stop();

 private:
  void serve();

  Store& store_;
  Clock& clock_;
  HttpPoster& poster_;
  WebhookSenderOptions options_;
  std::function<void(const std::string&)> onError_;
  Wakeup wakeup_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace tocsin::engine

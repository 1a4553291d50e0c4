#include "broadcaster/engine/webhooks.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include "common/base/json_text.h"
#include "common/base/text.h"
#include "common/config/json_reader.h"
#include "common/base/time.h"
#include "common/crypto/hash.h"

namespace tocsin::engine {

std::string deliveryEventJson(const DeliveryReport& r) {
  std::string out = "{\"event\":\"delivery\",\"message_id\":" + (r.message ? std::to_string(*r.message) : "null");
  out += ",\"job_id\":" + (r.message ? std::to_string(*r.message >> 32) : "null");
  out += ",\"part\":" + std::to_string(r.part) + ",\"bearer\":" + jsonString(r.bearer) + ",\"carrier_id\":" +
         jsonString(r.carrierId) + ",\"status\":" + jsonString(r.status) + ",\"detail\":" + jsonString(r.detail) +
         ",\"received_at\":" + jsonString(formatUtc(r.receivedAt)) + "}";
  return out;
}

std::string incomingEventJson(const IncomingRecord& m, int64_t id) {
  return "{\"event\":\"incoming\",\"id\":" + std::to_string(id) + ",\"from\":" + jsonString(m.sender) +
         ",\"to\":" + jsonString(m.recipient) + ",\"text\":" + jsonString(m.body) +
         ",\"bearer\":" + jsonString(m.bearer) + ",\"intent\":" + jsonString(m.intent) + ",\"outcome\":" +
         jsonString(m.outcome) + ",\"received_at\":" + jsonString(formatUtc(m.receivedAt)) + "}";
}

std::string webhookSignature(const std::string& secretHex, int64_t unixSeconds, const std::string& body) {
  auto parsed = fromHex(secretHex);
  const Bytes key = parsed.ok() ? *parsed : Bytes{};
  return "t=" + std::to_string(unixSeconds) + ",v1=" + toHex(hmacSha256(key, std::to_string(unixSeconds) + "." + body));
}

Status validateWebhookUrl(const std::string& url, const std::vector<std::string>& allowedHosts) {
  try {
    const Poco::URI uri(url);
    const std::string host = toLower(uri.getHost());
    if (host.empty()) return Status::invalid("the webhook URL has no host: " + url);
    if (!uri.getUserInfo().empty()) return Status::invalid("a webhook URL carries no user name or password");
    Poco::Net::IPAddress address;
    const bool loopback = host == "localhost" || (Poco::Net::IPAddress::tryParse(host, address) && address.isLoopback());
    if (uri.getScheme() != "https" && !(uri.getScheme() == "http" && loopback))
      return Status::invalid("a webhook URL is https:// (plain http only to a loopback address): " + url);
    if (loopback || std::find(allowedHosts.begin(), allowedHosts.end(), host) != allowedHosts.end()) return Status::okStatus();
    return Status::permissionDenied("webhooks go to loopback or to the hosts the configuration allows (webhooks.allowed_hosts); " +
                                    host + " is not one of them");
  } catch (const Poco::Exception&) {
    return Status::invalid("not a URL: " + url);
  }
}

Result<std::vector<std::string>> parseWebhookHosts(const Poco::JSON::Object::Ptr& document) {
  std::vector<std::string> hosts;
  if (!document || !document->has("webhooks")) return hosts;
  JsonReader root(document, "");
  TOCSIN_ASSIGN_OR_RETURN(auto r, root.object("webhooks"));
  TOCSIN_RETURN_IF_ERROR(r->getStringList("allowed_hosts", hosts));
  TOCSIN_RETURN_IF_ERROR(r->checkNoUnknownKeys());
  for (auto& h : hosts) {
    h = toLower(h);
    if (h.empty() || h.find_first_of("/:@ ") != std::string::npos)
      return Status::invalid("configuration key 'webhooks.allowed_hosts' holds '" + h + "', which is not a host name");
  }
  return hosts;
}

namespace {

// How long a delivery taken for posting is left to the node that took it: longer than a batch of
// posts can last (each gives up after 10 s), so a live node always records its outcome first.
Micros holdFor(int64_t batch) {
  return std::max<Micros>(std::chrono::minutes(10), std::chrono::seconds(10) * batch + std::chrono::minutes(1));
}

class PocoPoster final : public HttpPoster {
 public:
  Result<int> post(const std::string& url, const std::map<std::string, std::string>& headers, const std::string& body) override {
    try {
      const Poco::URI uri(url);
      std::unique_ptr<Poco::Net::HTTPClientSession> session;
      if (uri.getScheme() == "https") {
        Poco::Net::initializeSSL();
        Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                                                 Poco::Net::Context::VERIFY_RELAXED, 9, true);
        context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
      } else {
        session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
      }
      session->setTimeout(Poco::Timespan(10, 0));
      Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
      request.setContentType("application/json");
      request.setContentLength(static_cast<std::streamsize>(body.size()));
      for (const auto& [k, v] : headers) request.set(k, v);
      session->sendRequest(request) << body;
      Poco::Net::HTTPResponse response;
      session->receiveResponse(response).ignore(1 << 20);
      return static_cast<int>(response.getStatus());
    } catch (const Poco::Exception& e) {
      return Status::unavailable(e.displayText());
    }
  }
};

}  // namespace

std::unique_ptr<HttpPoster> makeHttpPoster() { return std::make_unique<PocoPoster>(); }

WebhookSender::~WebhookSender() { stop(); }

Status WebhookSender::clearEnded() {
  const Timestamp now = clock_.now();
  return store_.write([&](StoreTx& tx) {
    tx.webhooks().deleteEndedBefore(now - options_.keepEnded);
    return Status::okStatus();
  });
}

Result<int> WebhookSender::runOnce() {
  const Timestamp now = clock_.now();
  std::vector<WebhookDelivery> due;
  // Taken in a write: with several nodes on one store, each delivery is posted by one of them
  // (again only if its outcome was not recorded within the hold: at least once, never lost).
  TOCSIN_RETURN_IF_ERROR(store_.write([&](StoreTx& tx) {
    due = tx.webhooks().takeDue(now, options_.batch, now + holdFor(options_.batch));
    return Status::okStatus();
  }));
  int posted = 0;
  for (const auto& d : due) {
    const int64_t unix = toMicros(now) / 1'000'000;
    const std::map<std::string, std::string> headers = {
        {"X-Tocsin-Event", d.event},
        {"X-Tocsin-Delivery", std::to_string(d.id)},
        {"X-Tocsin-Signature", webhookSignature(d.secret, unix, d.payload)}};
    // A webhook registered before the configuration changed may no longer be allowed.
    const Status allowed = validateWebhookUrl(d.url, options_.allowedHosts);
    auto status = allowed.ok() ? poster_.post(d.url, headers, d.payload) : Result<int>(allowed);
    const bool ok = status.ok() && *status >= 200 && *status < 300;
    const std::string error = status.ok() ? "HTTP " + std::to_string(*status) : status.status().message();
    TOCSIN_RETURN_IF_ERROR(store_.write([&](StoreTx& tx) {
      if (ok) {
        tx.webhooks().delivered(d.id, clock_.now());
      } else if (d.attempts + 1 >= options_.maxAttempts) {
        tx.webhooks().failed(d.id, error + " (gave up after " + std::to_string(d.attempts + 1) + " attempts)", clock_.now());
      } else {
        Micros wait = options_.firstRetry * (int64_t{1} << std::min(d.attempts, 20));
        wait = std::min(wait, options_.maxRetry);
        tx.webhooks().retryAt(d.id, clock_.now() + wait, error, clock_.now());
      }
      return Status::okStatus();
    }));
    posted += ok ? 1 : 0;
  }
  return posted;
}

void WebhookSender::start(std::function<void(const std::string&)> onError) {
  onError_ = std::move(onError);
  thread_ = std::thread([this] { serve(); });
}

void WebhookSender::stop() {
  stopping_ = true;
  wakeup_.notify();
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::serve() {
  MonoTime nextClear = clock_.monotonic();
  while (!stopping_) {
    auto report = [&](const Status& st) {
      if (!st.ok() && onError_) onError_(st.message());
    };
    if (clock_.monotonic() >= nextClear) {
      report(clearEnded());
      nextClear = clock_.monotonic() + std::chrono::hours(1);
    }
    auto posted = runOnce();
    report(posted.status());
    // A full batch: more are due now.
    if (posted.ok() && *posted >= options_.batch) continue;
    std::optional<Timestamp> due;
    report(store_.read([&](StoreTx& tx) {
      due = tx.webhooks().nextDue();
      return Status::okStatus();
    }));
    MonoTime deadline = nextClear;
    if (due) deadline = std::min(deadline, clock_.monotonic() + std::max(Micros(0), std::chrono::duration_cast<Micros>(*due - clock_.now())));
    if (!posted.ok()) deadline = std::min(deadline, clock_.monotonic() + std::chrono::seconds(5));  // the store failed: again soon
    clock_.sleepUntil(deadline, wakeup_);
  }
}

}  // namespace tocsin::engine

// Webhooks: events enter the outbox with the change that caused them, are posted signed,
// retried with backoff on a manual clock, given up after the last attempt, and a real HTTP
// receiver on 127.0.0.1 checks the signature.
#include <catch2/catch.hpp>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <mutex>
#include <set>

#include "broadcaster/engine/inbound.h"
#include "broadcaster/engine/webhooks.h"
#include "common/crypto/hash.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace std::chrono_literals;

namespace {

const std::string kSecret = std::string(64, 'a');

struct ScriptedPoster final : engine::HttpPoster {
  std::vector<int> answers;  // HTTP statuses in order (0: connection refused); then 200
  std::vector<std::pair<std::map<std::string, std::string>, std::string>> posts;
  Result<int> post(const std::string&, const std::map<std::string, std::string>& headers, const std::string& body) override {
    posts.emplace_back(headers, body);
    if (answers.empty()) return 200;
    const int a = answers.front();
    answers.erase(answers.begin());
    if (a == 0) return Status::unavailable("connection refused");
    return a;
  }
};

void addWebhook(testing::StoreFixture& f, const std::string& name, const std::string& url, std::vector<std::string> events) {
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    Webhook w;
    w.name = name;
    w.url = url;
    w.events = std::move(events);
    w.secret = kSecret;
    w.createdBy = "test";
    w.createdAt = rec.now();
    tx.webhooks().insert(w);
    return Status::okStatus();
  });
}

void enqueue(testing::StoreFixture& f, const std::string& event, const std::string& payload) {
  REQUIRE(f.store->write([&](StoreTx& tx) {
    tx.webhooks().enqueue(event, payload, f.clock.now(), std::nullopt);
    return Status::okStatus();
  }).ok());
}

std::string state(testing::StoreFixture& f) {
  return testing::rawQuery(f.dbPath, "SELECT state || ' ' || attempts FROM webhook_deliveries ORDER BY id LIMIT 1");
}

}  // namespace

TEST_CASE("Webhooks: a failed post is retried with doubling backoff, then delivered, signed") {
  testing::StoreFixture f;
  addWebhook(f, "crm", "http://127.0.0.1:9/hook", {"delivery"});
  addWebhook(f, "other", "http://127.0.0.1:9/other", {"incoming"});
  enqueue(f, "delivery", R"({"event":"delivery"})");
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM webhook_deliveries") == "1");  // only the subscriber
  ScriptedPoster poster;
  poster.answers = {500, 0};
  engine::WebhookSender sender(*f.store, f.clock, poster);
  CHECK(sender.runOnce().value() == 0);
  CHECK(state(f) == "pending 1");
  f.clock.advance(900ms);
  sender.runOnce().value();
  CHECK(poster.posts.size() == 1);  // not due before 1 s
  f.clock.advance(100ms);
  CHECK(sender.runOnce().value() == 0);
  CHECK(testing::rawQuery(f.dbPath, "SELECT last_error FROM webhook_deliveries") == "connection refused");
  f.clock.advance(1s);
  sender.runOnce().value();
  CHECK(poster.posts.size() == 2);  // the second retry waits 2 s
  f.clock.advance(1s);
  CHECK(sender.runOnce().value() == 1);
  CHECK(state(f) == "delivered 3");
  REQUIRE(poster.posts.size() == 3);
  const auto& [headers, body] = poster.posts.back();
  CHECK(body == R"({"event":"delivery"})");
  CHECK(headers.at("X-Tocsin-Event") == "delivery");
  const std::string t = std::to_string(toMicros(f.clock.now()) / 1'000'000);
  CHECK(headers.at("X-Tocsin-Signature") ==
        "t=" + t + ",v1=" + toHex(hmacSha256(fromHex(kSecret).value(), t + "." + body)));
  // Ended deliveries are deleted a week later.
  f.clock.advance(std::chrono::hours(24 * 7) + 1s);
  REQUIRE(sender.clearEnded().ok());
  CHECK(testing::rawQuery(f.dbPath, "SELECT count(*) FROM webhook_deliveries") == "0");
}

TEST_CASE("Webhooks: after the last attempt the delivery is marked failed with the reason") {
  testing::StoreFixture f;
  addWebhook(f, "crm", "http://127.0.0.1:9/hook", {"delivery", "incoming"});
  enqueue(f, "incoming", "{}");
  ScriptedPoster poster;
  poster.answers = {503, 503, 503};
  engine::WebhookSenderOptions o;
  o.maxAttempts = 3;
  engine::WebhookSender sender(*f.store, f.clock, poster, o);
  for (int i = 0; i < 3; ++i) {
    sender.runOnce().value();
    f.clock.advance(1h);
  }
  CHECK(state(f) == "failed 3");
  CHECK(testing::rawQuery(f.dbPath, "SELECT last_error FROM webhook_deliveries") == "HTTP 503 (gave up after 3 attempts)");
}

TEST_CASE("Webhooks: an incoming STOP enters the outbox in the same transaction that records it") {
  testing::StoreFixture f;
  addWebhook(f, "crm", "http://127.0.0.1:9/hook", {"incoming"});
  f.addContact("+33612345678");
  const auto policies = policy::parsePolicyConfig(nullptr).value();
  engine::InboundHandler inbound(policies, f.phones, f.suppressor);
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    return inbound.handle(tx, rec, {"+33612345678", "38100", "STOP", "carrier", f.clock.now()}).status();
  });
  const std::string payload = testing::rawQuery(f.dbPath, "SELECT payload FROM webhook_deliveries");
  CHECK(payload.find("\"event\":\"incoming\"") != std::string::npos);
  CHECK(payload.find("\"intent\":\"stop\"") != std::string::npos);
  CHECK(payload.find("\"from\":\"+33612345678\"") != std::string::npos);
}

TEST_CASE("Webhooks: http only for loopback receivers, other hosts only from the allow-list") {
  const std::vector<std::string> allowed = {"crm.example"};
  CHECK(engine::validateWebhookUrl("https://crm.example/hooks", allowed).ok());
  CHECK(engine::validateWebhookUrl("https://CRM.example/hooks", allowed).ok());
  CHECK(engine::validateWebhookUrl("http://127.0.0.1:8080/hooks", allowed).ok());
  CHECK(engine::validateWebhookUrl("https://[::1]:8443/hooks", {}).ok());
  CHECK_FALSE(engine::validateWebhookUrl("http://crm.example/hooks", allowed).ok());
  CHECK_FALSE(engine::validateWebhookUrl("ftp://127.0.0.1/x", allowed).ok());
  const Status internal = engine::validateWebhookUrl("https://10.0.0.5/admin", allowed);
  CHECK(internal.code() == StatusCode::kPermissionDenied);
  CHECK(internal.message().find("webhooks.allowed_hosts") != std::string::npos);
  CHECK_FALSE(engine::validateWebhookUrl("https://crm.example.attacker.net/", allowed).ok());
  CHECK_FALSE(engine::validateWebhookUrl("https://user:pw@crm.example/", allowed).ok());
}

namespace {

struct Received {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> posts;  // signature, body
  int failFirst = 1;
};

class Receiver final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Receiver(Received& r) : r_(r) {}
  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    std::string body;
    Poco::StreamCopier::copyToString(in.stream(), body);
    std::lock_guard lock(r_.mutex);
    r_.posts.emplace_back(in.get("X-Tocsin-Signature", ""), body);
    out.setStatus(r_.failFirst-- > 0 ? Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE : Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
    out.send();
  }

 private:
  Received& r_;
};

class ReceiverFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit ReceiverFactory(Received& r) : r_(r) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Receiver(r_); }

 private:
  Received& r_;
};

}  // namespace

TEST_CASE("Webhooks: a real receiver on 127.0.0.1 gets the post again after refusing it, and the signature checks out") {
  testing::StoreFixture f;
  Received received;
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  Poco::Net::HTTPServer server(new ReceiverFactory(received), socket, new Poco::Net::HTTPServerParams);
  server.start();
  addWebhook(f, "crm", "http://127.0.0.1:" + std::to_string(socket.address().port()) + "/hook", {"delivery"});
  DeliveryReport report;
  report.message = (int64_t{7} << 32) + 3;
  report.bearer = "carrier";
  report.carrierId = "abc";
  report.status = "delivered";
  report.receivedAt = f.clock.now();
  enqueue(f, "delivery", engine::deliveryEventJson(report));
  auto poster = engine::makeHttpPoster();
  engine::WebhookSender sender(*f.store, f.clock, *poster);
  CHECK(sender.runOnce().value() == 0);
  f.clock.advance(1s);
  CHECK(sender.runOnce().value() == 1);
  server.stop();
  std::lock_guard lock(received.mutex);
  REQUIRE(received.posts.size() == 2);
  const auto& [signature, body] = received.posts.back();
  CHECK(body.find("\"job_id\":7") != std::string::npos);
  const auto t = signature.substr(2, signature.find(',') - 2);
  CHECK(signature == "t=" + t + ",v1=" + toHex(hmacSha256(fromHex(kSecret).value(), t + "." + body)));
  CHECK(state(f) == "delivered 2");
}

TEST_CASE("Webhooks: two nodes on one store post each delivery once, and one a dead node took is posted after the hold") {
  testing::StoreFixture f;
  addWebhook(f, "crm", "http://127.0.0.1:9/hook", {"delivery"});
  for (int i = 0; i < 6; ++i) enqueue(f, "delivery", "{\"n\":" + std::to_string(i) + "}");
  auto other = f.reopen();  // the second node's connection
  ScriptedPoster first, second;
  engine::WebhookSenderOptions small;
  small.batch = 3;
  engine::WebhookSender a(*f.store, f.clock, first, small), b(*other, f.clock, second, small);
  CHECK(a.runOnce().value() == 3);
  CHECK(b.runOnce().value() == 3);
  CHECK(a.runOnce().value() == 0);
  CHECK(b.runOnce().value() == 0);
  std::set<std::string> bodies;
  for (const auto* p : {&first, &second})
    for (const auto& [headers, body] : p->posts) bodies.insert(body);
  CHECK(first.posts.size() + second.posts.size() == 6);
  CHECK(bodies.size() == 6);
  // A node takes a delivery and dies before recording its outcome: the other posts it once the
  // hold has passed, not before.
  enqueue(f, "delivery", R"({"n":6})");
  REQUIRE(f.store->write([&](StoreTx& tx) {
    CHECK(tx.webhooks().takeDue(f.clock.now(), 10, f.clock.now() + std::chrono::minutes(10)).size() == 1);
    return Status::okStatus();
  }).ok());
  CHECK(b.runOnce().value() == 0);
  f.clock.advance(std::chrono::minutes(10));
  CHECK(b.runOnce().value() == 1);
  CHECK(second.posts.back().second == R"({"n":6})");
}

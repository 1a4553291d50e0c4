// tocsinctl --url URL [--token T | TOCSIN_TOKEN] [--ca CERT.pem] alert|campaign ...: the same
// work as on the box, through the operator API. Approval needs the digest the approver
// reviewed ("alert show" prints it): what is approved is exactly what was read.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <ostream>
#include <sstream>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include "broadcaster/cli/cli.h"
#include "common/base/text.h"
#include "common/crypto/hash.h"
#include "common/crypto/key_files.h"

namespace tocsin::cli {
namespace {

using Object = Poco::JSON::Object::Ptr;

struct Reply {
  int status = 0;
  std::string body;
  Object json;
};

bool isLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  Poco::Net::IPAddress address;
  return Poco::Net::IPAddress::tryParse(host, address) && address.isLoopback();
}

class Client {
 public:
  explicit Client(const GlobalOptions& o) {
    const Poco::URI uri(*o.url);
    if (uri.getScheme() != "https" && uri.getScheme() != "http") throw UsageError("--url is https://HOST:PORT");
    // The token would cross the network in clear: plain HTTP only to this machine.
    if (uri.getScheme() == "http" && !isLoopbackHost(uri.getHost()))
      throw UsageError("--url http:// would send the token in clear; use https:// (plain http only to a loopback address)");
    if (o.token) token_ = *o.token;
    else if (const char* t = std::getenv("TOCSIN_TOKEN")) token_ = t;
    if (token_.empty()) throw UsageError("give the API token with --token or TOCSIN_TOKEN");
    if (uri.getScheme() == "https") {
      Poco::Net::initializeSSL();
      // With --ca, only a server whose certificate it vouches for is trusted; otherwise the
      // system's trust store.
      Poco::Net::Context::Ptr context = new Poco::Net::Context(
          Poco::Net::Context::TLS_CLIENT_USE, "", "", o.caFile.value_or(""), Poco::Net::Context::VERIFY_RELAXED, 9,
          !o.caFile.has_value());
      context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      session_ = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
    } else {
      session_ = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    }
    session_->setKeepAlive(true);
  }

  // A creation, safe to retry: it carries a fresh Idempotency-Key, and when the connection fails
  // before an answer it is sent again (up to three times) with the same key, so the server makes
  // the job at most once.
  Reply create(Clock& clock, const std::string& path, const std::string& contentType, const std::string& body) {
    const auto random = randomBytes(16);
    if (!random.ok()) return Reply{0, random.status().message(), nullptr};
    const std::string key = "tocsinctl-" + toHex(random.value());
    Reply r;
    for (int attempt = 0; attempt < 3; ++attempt) {
      Interrupt never;
      if (attempt) clock.sleepFor(std::chrono::seconds(attempt), never);
      r = call("POST", path, contentType, body, key);
      if (r.status != 0) break;
    }
    return r;
  }

  Reply call(const std::string& method, const std::string& path, const std::string& contentType = "",
             const std::string& body = "", const std::string& idempotencyKey = "") {
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + token_);
    if (!idempotencyKey.empty()) request.set("Idempotency-Key", idempotencyKey);
    if (!contentType.empty()) request.setContentType(contentType);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    Reply reply;
    try {
      session_->sendRequest(request) << body;
      Poco::Net::HTTPResponse response;
      std::istream& in = session_->receiveResponse(response);
      Poco::StreamCopier::copyToString(in, reply.body);
      reply.status = response.getStatus();
    } catch (const Poco::Exception& e) {
      reply.status = 0;
      reply.body = e.displayText();
      return reply;
    }
    try {
      auto v = Poco::JSON::Parser().parse(reply.body);
      if (v.type() == typeid(Object)) reply.json = v.extract<Object>();
    } catch (const Poco::Exception&) {
    }
    return reply;
  }

 private:
  std::string token_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

Status failure(const Reply& r) {
  if (r.status == 0) return Status::unavailable("cannot reach the API: " + r.body);
  std::string message = r.body;
  if (r.json && r.json->has("error")) {
    auto e = r.json->getObject("error");
    message = e->getValue<std::string>("message");
    if (e->has("field") && !e->isNull("field")) message += " (" + e->getValue<std::string>("field") + ")";
  }
  return Status(StatusCode::kRefused, "HTTP " + std::to_string(r.status) + ": " + message);
}

std::string str(const Object& o, const std::string& k) {
  return o && o->has(k) && !o->isNull(k) ? o->get(k).convert<std::string>() : "";
}

void printAlert(CliContext& ctx, const Object& a) {
  ctx.out << "alert " << str(a, "id") << "  " << str(a, "state") << "  " << str(a, "class") << "  \"" << printable(str(a, "title"))
          << "\"\n  " << printable(str(a, "banner")) << "\n";
  if (auto texts = a->getArray("texts"))
    for (size_t i = 0; i < texts->size(); ++i) {
      auto t = texts->getObject(static_cast<unsigned>(i));
      ctx.out << "  " << str(t, "language") << " (" << str(t, "encoding") << ", " << str(t, "parts") << " parts): "
              << printable(str(t, "text")) << "\n";
    }
  ctx.out << "  drafted by " << printable(str(a, "created_by"))
          << (str(a, "approved_by").empty() ? "" : ", approved by " + printable(str(a, "approved_by"))) << "\n";
  ctx.out << "  digest " << str(a, "digest") << "\n";
}

void printProgress(CliContext& ctx, const Object& job, bool tty) {
  auto p = job->getObject("progress");
  const double total = std::max(1.0, std::stod(str(p, "recipients").empty() ? "0" : str(p, "recipients")));
  double settled = 0;
  for (const char* k : {"sent", "delivered", "failed", "refused", "expired", "cancelled"}) settled += std::stod(str(p, k));
  std::ostringstream line;
  line << "#" << str(job, "id") << " " << str(job, "state") << " ";
  if (tty) {
    const int width = 30, filled = static_cast<int>(settled / total * width + 0.5);
    line << "[" << std::string(static_cast<size_t>(filled), '#') << std::string(static_cast<size_t>(width - filled), '-') << "] ";
  }
  line << static_cast<int64_t>(settled) << "/" << str(p, "recipients");
  for (const char* k : {"queued", "submitted", "sent", "delivered", "failed", "refused"}) line << "  " << k << " " << str(p, k);
  ctx.out << (tty ? "\r\x1b[K" : "") << line.str() << (tty ? "" : "\n") << std::flush;
}

// Polls a job until it is done or cancelled (with --watch), else prints it once.
Status watch(CliContext& ctx, Client& client, const std::string& path, bool keepWatching) {
  const bool tty = ::isatty(STDOUT_FILENO) && &ctx.out == &std::cout;
  Interrupt never;
  while (true) {
    Reply r = client.call("GET", path);
    if (r.status != 200) return failure(r);
    printProgress(ctx, r.json, tty && keepWatching);
    const std::string state = str(r.json, "state");
    if (!keepWatching || state == "done" || state == "cancelled") break;
    ctx.clock.sleepFor(std::chrono::milliseconds(500), never);
  }
  if (tty && keepWatching) ctx.out << "\n";
  return Status::okStatus();
}

std::string jsonText(const Object& o) {
  std::ostringstream s;
  o->stringify(s);
  return s.str();
}

Poco::JSON::Array::Ptr textsArray(const Args& args) {
  Poco::JSON::Array::Ptr texts = new Poco::JSON::Array;
  for (const auto& v : args.getAll("text")) {
    const auto colon = v.find(':');
    if (colon == std::string::npos || colon < 2) throw UsageError("--text is LANGUAGE:TEXT");
    Object t = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    t->set("language", v.substr(0, colon));
    t->set("text", v.substr(colon + 1));
    texts->add(t);
  }
  if (texts->size() == 0) throw UsageError("give at least one --text LANGUAGE:TEXT");
  return texts;
}

Object areaObject(const Args& args) {
  Object area = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  if (args.flag("all")) area->set("all", true);
  Poco::JSON::Array::Ptr zones = new Poco::JSON::Array, circles = new Poco::JSON::Array, polygons = new Poco::JSON::Array;
  for (const auto& z : args.getAll("zone")) zones->add(z);
  for (const auto& c : args.getAll("circle")) circles->add(c);
  for (const auto& p : args.getAll("polygon")) polygons->add(p);
  if (zones->size()) area->set("zones", zones);
  if (circles->size()) area->set("circles", circles);
  if (polygons->size()) area->set("polygons", polygons);
  return area;
}

Status alertCreate(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"cap"}, {"title"}, {"text"}, {"zone"}, {"all", false}, {"circle"}, {"polygon"}, {"class"},
                     {"mode"}, {"expires"}, {"bearer"}, {"references"}, {"type"}});
  args.expectPositionals(0, 0, "alert create (--cap FILE.xml | --title T --text LANG:TEXT... --zone Z... --class C [--mode test|exercise])");
  Client client(ctx.options());
  Reply r;
  if (auto cap = args.get("cap")) {
    TOCSIN_ASSIGN_OR_RETURN(const std::string xml, readWholeFile(*cap));
    r = client.create(ctx.clock, "/v1/alerts", "application/cap+xml", xml);
  } else {
    Object o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("title", args.require("title"));
    o->set("texts", textsArray(args));
    o->set("area", areaObject(args));
    if (auto c = args.get("class")) o->set("class", *c);
    if (auto m = args.get("mode")) o->set("mode", *m);
    if (auto e = args.get("expires")) o->set("expires", *e);
    if (auto t = args.get("type")) o->set("type", *t);
    if (auto ref = args.getInt("references", 1, INT64_MAX)) o->set("references", *ref);
    Poco::JSON::Array::Ptr bearers = new Poco::JSON::Array;
    for (const auto& b : args.getAll("bearer")) bearers->add(b);
    if (bearers->size()) o->set("bearers", bearers);
    r = client.create(ctx.clock, "/v1/alerts", "application/json", jsonText(o));
  }
  if (r.status != 201 && r.status != 200) return failure(r);
  printAlert(ctx, r.json);
  ctx.out << "a second person reviews it (tocsinctl ... alert show " << str(r.json, "id")
          << ") and approves that digest (alert approve " << str(r.json, "id") << " --digest ...)\n";
  return Status::okStatus();
}

Status alertShow(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "alert show ID");
  Client client(ctx.options());
  Reply r = client.call("GET", "/v1/alerts/" + args.positionals()[0]);
  if (r.status != 200) return failure(r);
  printAlert(ctx, r.json);
  return Status::okStatus();
}

Status alertApprove(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"digest"}});
  args.expectPositionals(1, 1, "alert approve ID --digest DIGEST (from alert show)");
  Client client(ctx.options());
  Object o = new Poco::JSON::Object;
  o->set("digest", args.require("digest"));
  Reply r = client.call("POST", "/v1/alerts/" + args.positionals()[0] + "/approve", "application/json", jsonText(o));
  if (r.status != 200) return failure(r);
  ctx.out << "approved: " << str(r.json, "banner") << "\n";
  return Status::okStatus();
}

Status alertFalseAlarm(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "alert false-alarm ID");
  Client client(ctx.options());
  Reply r = client.call("POST", "/v1/alerts/" + args.positionals()[0] + "/false-alarm");
  if (r.status != 201) return failure(r);
  ctx.out << "the original's unsent messages are cancelled; its prepared correction is drafted:\n";
  printAlert(ctx, r.json);
  return Status::okStatus();
}

Status jobStatus(CliContext& ctx, const std::vector<std::string>& tokens, const std::string& collection) {
  Args args(tokens, {{"watch", false}});
  args.expectPositionals(1, 1, collection + " status ID [--watch]");
  Client client(ctx.options());
  return watch(ctx, client, "/v1/" + collection + "s/" + args.positionals()[0], args.flag("watch"));
}

Status campaignCreate(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"shop"}, {"title"}, {"text"}, {"zone"}, {"all", false}, {"sender"}, {"at"}, {"deadline"}});
  args.expectPositionals(0, 0, "campaign create --title T --text LANG:TEXT... (--zone Z|--all) [--shop S] [--at T] [--deadline T]");
  Client client(ctx.options());
  Object o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  if (auto s = args.get("shop")) o->set("shop", *s);
  o->set("title", args.require("title"));
  o->set("texts", textsArray(args));
  o->set("area", areaObject(args));
  for (const char* k : {"sender", "at", "deadline"})
    if (auto v = args.get(k)) o->set(k, *v);
  Reply r = client.create(ctx.clock, "/v1/campaigns", "application/json", jsonText(o));
  if (r.status != 201 && r.status != 200) return failure(r);
  ctx.out << "campaign " << str(r.json, "id") << " for " << str(r.json, "shop") << ": " << str(r.json, "state") << "\n";
  if (auto p = r.json->getArray("preview"))
    for (size_t i = 0; i < p->size(); ++i) {
      auto t = p->getObject(static_cast<unsigned>(i));
      ctx.out << "  " << str(t, "language") << " (" << str(t, "encoding") << ", " << str(t, "parts") << " parts): "
              << str(t, "text") << "\n";
    }
  return Status::okStatus();
}

Status campaignAct(CliContext& ctx, const std::vector<std::string>& tokens, const std::string& action) {
  Args args(tokens, {{"reason"}});
  args.expectPositionals(1, 1, "campaign " + action + " ID" + (action == "cancel" ? " --reason R" : ""));
  Client client(ctx.options());
  std::string body;
  if (action == "cancel") {
    Object o = new Poco::JSON::Object;
    o->set("reason", args.require("reason"));
    body = jsonText(o);
  }
  Reply r = client.call("POST", "/v1/campaigns/" + args.positionals()[0] + "/" + action,
                        body.empty() ? "" : "application/json", body);
  if (r.status != 200) return failure(r);
  ctx.out << "campaign " << str(r.json, "id") << ": " << str(r.json, "state") << "\n";
  return Status::okStatus();
}

Status auditVerify(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "audit verify");
  Client client(ctx.options());
  Reply r = client.call("GET", "/v1/audit/verify");
  if (r.status != 200) return failure(r);
  if (r.json->getValue<bool>("intact")) {
    ctx.out << "audit chain intact: " << str(r.json, "entries") << " entries\n";
  } else {
    ctx.out << "audit chain broken (" << str(r.json, "problem") << "): " << str(r.json, "explanation") << "\n";
    ctx.failedVerdict = true;
  }
  return Status::okStatus();
}

Status auditList(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"after"}, {"limit"}});
  args.expectPositionals(0, 0, "audit list [--after SEQ] [--limit N]");
  Client client(ctx.options());
  Reply r = client.call("GET", "/v1/audit?after=" + std::to_string(args.getInt("after", 0, INT64_MAX).value_or(0)) +
                                   "&limit=" + std::to_string(args.getInt("limit", 1, 1000).value_or(100)));
  if (r.status != 200) return failure(r);
  auto entries = r.json->getArray("entries");
  for (size_t i = 0; i < entries->size(); ++i) {
    auto e = entries->getObject(static_cast<unsigned>(i));
    ctx.out << str(e, "seq") << "  " << str(e, "at") << "  " << str(e, "actor") << "  " << str(e, "action") << "  "
            << str(e, "object") << "  " << str(e, "reason") << "\n";
  }
  return Status::okStatus();
}

// The export and its signature side by side, as `tocsinctl consent verify` reads them.
Status consentExport(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"format"}, {"out"}, {"purpose"}, {"from"}, {"to"}});
  args.expectPositionals(0, 0, "consent export --format csv|json --out FILE [--purpose P] [--from T] [--to T]");
  Client client(ctx.options());
  std::string query = "/v1/consent/export?format=" + args.getOr("format", "json");
  for (const char* k : {"purpose", "from", "to"})
    if (auto v = args.get(k)) {
      std::string encoded;
      Poco::URI::encode(*v, "&=+#?/:", encoded);
      query += std::string("&") + k + "=" + encoded;
    }
  Reply r = client.call("GET", query);
  if (r.status != 200) return failure(r);
  const std::string out = args.require("out");
  TOCSIN_RETURN_IF_ERROR(writeFileAtomically(out, str(r.json, "export"), 0640));
  TOCSIN_RETURN_IF_ERROR(writeFileAtomically(out + ".sig", str(r.json, "signature"), 0640));
  ctx.out << "exported " << str(r.json, "events") << " consent events to " << out << " (sha256 " << str(r.json, "sha256")
          << ", signed by key " << str(r.json, "key_fingerprint") << "; signature in " << out << ".sig)\n";
  return Status::okStatus();
}

}  // namespace

const std::vector<Command>& remoteCommands() {
  static const std::vector<Command> kCommands = {
      {"alert create", "alert create (--cap FILE.xml | --title T --text LANG:TEXT... --zone Z... --class C)",
       "draft an alert through the API", alertCreate},
      {"alert show", "alert show ID", "an alert's preview, banner and digest", alertShow},
      {"alert approve", "alert approve ID --digest D", "release a reviewed alert (another person's)", alertApprove},
      {"alert false-alarm", "alert false-alarm ID", "stop an alert and draft its prepared correction", alertFalseAlarm},
      {"alert status", "alert status ID [--watch]", "an alert's progress",
       [](CliContext& c, const std::vector<std::string>& t) { return jobStatus(c, t, "alert"); }},
      {"campaign create", "campaign create --title T --text LANG:TEXT... (--zone Z|--all)", "start a campaign", campaignCreate},
      {"campaign status", "campaign status ID [--watch]", "a campaign's progress",
       [](CliContext& c, const std::vector<std::string>& t) { return jobStatus(c, t, "campaign"); }},
      {"campaign pause", "campaign pause ID", "hold a campaign",
       [](CliContext& c, const std::vector<std::string>& t) { return campaignAct(c, t, "pause"); }},
      {"campaign resume", "campaign resume ID", "resume a campaign",
       [](CliContext& c, const std::vector<std::string>& t) { return campaignAct(c, t, "resume"); }},
      {"campaign cancel", "campaign cancel ID --reason R", "stop a campaign",
       [](CliContext& c, const std::vector<std::string>& t) { return campaignAct(c, t, "cancel"); }},
      {"audit verify", "audit verify", "verify the audit chain (auditors)", auditVerify},
      {"audit list", "audit list [--after SEQ] [--limit N]", "read the audit log (auditors)", auditList},
      {"consent export", "consent export --format csv|json --out FILE", "a signed consent export (auditors)", consentExport},
  };
  return kCommands;
}

}  // namespace tocsin::cli

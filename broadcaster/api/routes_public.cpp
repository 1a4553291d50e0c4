// What anyone may read, with no token and no personal data: the live alerts in force as a page
// readable on a phone (/public), as an Atom feed whose entries carry the CAP 1.2 documents
// (/public/cap.atom, for sirens, websites and aggregators), and each alert's CAP document
// (/public/alerts/{id}). Only live alerts, released and not expired or cancelled, are shown;
// tests and exercises never are. Nothing names who drafted or approved an alert.
#include "broadcaster/api/services.h"
#include "broadcaster/cap/cap_writer.h"

namespace tocsin::api {
namespace {

constexpr auto kUntimedShown = std::chrono::hours(24);  // an alert without expiry, shown for a day

void appendHtml(std::string& out, const std::string& text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

std::string html(const std::string& text) {
  std::string out;
  appendHtml(out, text);
  return out;
}

// Released live alerts still in force, newest first.
bool inForce(const Job& j, Timestamp now) {
  if (j.kind != JobKind::kAlert || j.mode != AlertMode::kLive) return false;
  if (j.state == JobState::kDraft || j.state == JobState::kCancelled) return false;
  return j.expiresAt ? *j.expiresAt > now : j.createdAt + kUntimedShown > now;
}

const char* typeLabel(AlertType t) {
  switch (t) {
    case AlertType::kAlert: return "Alert";
    case AlertType::kUpdate: return "Update";
    case AlertType::kAllClear: return "All clear";
    case AlertType::kFalseAlarm: return "Correction: false alarm";
  }
  return "Alert";
}

const char* kStyle =
    "body{font-family:sans-serif;margin:0;background:#fff;color:#111;line-height:1.5}"
    "header{background:#111;color:#fff;padding:1rem}h1{margin:0;font-size:1.5rem}"
    "main{padding:1rem;max-width:48rem}article{border:3px solid #b00020;border-radius:.5rem;padding:1rem;margin:0 0 1rem}"
    "article h2{margin:0 0 .5rem;font-size:1.3rem}.kind{color:#b00020;font-weight:bold;text-transform:uppercase}"
    "p.text{font-size:1.15rem}dl{margin:0}dt{font-weight:bold}dd{margin:0 0 .5rem}a{color:#0645ad}";

class PublicRoutes {
 public:
  explicit PublicRoutes(ApiServices& s) : s_(s) {}

  std::vector<Job> current() {
    std::vector<Job> out;
    auto store = s_.stores.acquire();
    const Timestamp now = s_.clock.now();
    check(store->read([&](StoreTx& tx) {
      for (auto& j : tx.jobs().recent(JobKind::kAlert, std::numeric_limits<JobId>::max(), 200))
        if (inForce(j, now)) out.push_back(std::move(j));
      return Status::okStatus();
    }));
    return out;
  }

  cap::Alert document(const Job& j) {
    std::optional<Job> referenced;
    if (j.reference) {
      auto store = s_.stores.acquire();
      check(store->read([&](StoreTx& tx) {
        referenced = tx.jobs().find(*j.reference);
        return Status::okStatus();
      }));
    }
    return cap::publishedAlert(j, s_.publisher, referenced);
  }

  Response page() {
    const auto alerts = current();
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>" + html(s_.publisher.name) + ": public alerts</title>"
        "<link rel=\"stylesheet\" href=\"/public/style.css\">"
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"CAP feed\" href=\"/public/cap.atom\">"
        "</head><body><header><h1>" + html(s_.publisher.name) + ": public alerts</h1></header><main>\n";
    if (alerts.empty()) out += "<p>There is no alert in force.</p>\n";
    for (const auto& j : alerts) {
      out += "<article><p class=\"kind\">" + html(typeLabel(j.details.type)) + "</p><h2>" + html(j.title) + "</h2>\n";
      for (const auto& [language, text] : j.texts)
        out += "<p class=\"text\" lang=\"" + html(language) + "\">" + html(text) + "</p>\n";
      out += "<dl><dt>Area</dt><dd>";
      std::string area = j.target.all ? "the whole area" : "";
      for (const auto& z : j.target.zones) area += (area.empty() ? "" : ", ") + z;
      if (!j.target.circles.empty() || !j.target.polygons.empty()) area += (area.empty() ? "" : ", ") + std::string("a drawn area");
      out += html(area) + "</dd><dt>Issued</dt><dd>" + html(cap::formatCapTime(j.createdAt)) + "</dd>";
      if (j.expiresAt) out += "<dt>Until</dt><dd>" + html(cap::formatCapTime(*j.expiresAt)) + "</dd>";
      out += "</dl><p><a href=\"/public/alerts/" + std::to_string(j.id) + "\">CAP 1.2 document</a></p></article>\n";
    }
    out += "<p><a href=\"/public/cap.atom\">Atom feed of these alerts (CAP 1.2)</a></p></main></body></html>\n";
    return Response{200, "text/html; charset=utf-8", out, securityHeaders()};
  }

  Response feed() {
    const auto alerts = current();
    Timestamp updated = alerts.empty() ? Timestamp{} : alerts.front().updatedAt;
    for (const auto& j : alerts) updated = std::max(updated, j.updatedAt);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
    out += "  <id>urn:tocsin:" + html(s_.publisher.sender) + ":alerts</id>\n";
    out += "  <title>" + html(s_.publisher.name) + ": public alerts</title>\n";
    out += "  <updated>" + cap::formatCapTime(updated).substr(0, 19) + "Z</updated>\n";
    out += "  <author><name>" + html(s_.publisher.name) + "</name></author>\n";
    out += "  <link rel=\"self\" href=\"/public/cap.atom\"/>\n";
    for (const auto& j : alerts) {
      std::string cap = cap::write(document(j));
      cap = cap.substr(cap.find("<alert"));  // inline XML content: no declaration
      out += "  <entry>\n    <id>urn:tocsin:" + html(s_.publisher.sender) + ":" + cap::publishedIdentifier(j.id) + "</id>\n";
      out += "    <title>" + html(j.title) + "</title>\n";
      out += "    <updated>" + cap::formatCapTime(j.updatedAt).substr(0, 19) + "Z</updated>\n";
      out += "    <link rel=\"alternate\" type=\"application/cap+xml\" href=\"/public/alerts/" + std::to_string(j.id) + "\"/>\n";
      out += "    <content type=\"application/cap+xml\">\n" + cap + "    </content>\n  </entry>\n";
    }
    out += "</feed>\n";
    return Response{200, "application/atom+xml; charset=utf-8", out, securityHeaders()};
  }

  Response one(int64_t id) {
    std::optional<Job> job;
    auto store = s_.stores.acquire();
    check(store->read([&](StoreTx& tx) {
      job = tx.jobs().find(id);
      return Status::okStatus();
    }));
    // The same answer for a draft, a test, an expired alert and an id that does not exist.
    if (!job || !inForce(*job, s_.clock.now())) throw ApiError(404, "not_found", "no public alert in force has this id", "");
    return Response{200, "application/cap+xml; charset=utf-8", cap::write(document(*job)), securityHeaders()};
  }

  static Response style() { return Response{200, "text/css; charset=utf-8", kStyle, securityHeaders()}; }

 private:
  // No script at all, nothing from elsewhere, never framed.
  static std::map<std::string, std::string> securityHeaders() {
    return {{"Content-Security-Policy", "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; "
                                        "frame-ancestors 'none'"},
            {"Referrer-Policy", "no-referrer"},
            {"X-Frame-Options", "DENY"}};
  }

  ApiServices& s_;
};

}  // namespace

void addPublicRoutes(Router& router, ApiServices& services) {
  auto r = std::make_shared<PublicRoutes>(services);
  router.add({"GET", "/public", {}, "read the live alerts in force (HTML, no sign-in)", "", [r](Request&) { return r->page(); }});
  router.add({"GET", "/public/cap.atom", {}, "follow the live alerts in force: an Atom feed of CAP 1.2 documents", "",
              [r](Request&) { return r->feed(); }});
  router.add({"GET", "/public/alerts/{id}", {}, "read a live alert in force as a CAP 1.2 document", "",
              [r](Request& q) { return r->one(q.idParam("id")); }});
  router.add({"GET", "/public/style.css", {}, "the public page's style sheet", "", [](Request&) { return PublicRoutes::style(); }});
}

}  // namespace tocsin::api

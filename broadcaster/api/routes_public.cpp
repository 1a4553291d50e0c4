// What anyone may read, with no token and no personal data: the live alerts in force as a page
// readable on a phone (/public), as an Atom feed whose entries carry the CAP 1.2 documents
// (/public/cap.atom, for sirens, websites and aggregators), and each alert's CAP document
// (/public/alerts/{id}). Only live alerts, released and not expired or cancelled, are shown;
// tests and exercises never are. Nothing names who drafted or approved an alert.
#include "broadcaster/api/services.h"
#include "broadcaster/cap/cap_writer.h"
#include "common/base/text.h"

namespace tocsin::api {
namespace {

constexpr auto kUntimedShown = std::chrono::hours(24);  // an alert without expiry, shown for a day

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

  // An alert in force and, for the feed, its CAP document (made in the same snapshot as the
  // alert it references is read).
  struct Published {
    Job job;
    cap::Alert document;
  };

  std::vector<Published> current(bool withDocuments) {
    std::vector<Published> out;
    auto store = s_.stores.acquire();
    const Timestamp now = s_.clock.now();
    check(store->read([&](StoreTx& tx) {
      for (auto& j : tx.jobs().recent(JobKind::kAlert, std::numeric_limits<JobId>::max(), 200)) {
        if (!inForce(j, now)) continue;
        out.push_back(withDocuments ? publish(tx, std::move(j)) : Published{std::move(j), {}});
      }
      return Status::okStatus();
    }));
    return out;
  }

  Published publish(StoreTx& tx, Job j) {
    const std::optional<Job> referenced = j.reference ? tx.jobs().find(*j.reference) : std::nullopt;
    cap::Alert document = cap::publishedAlert(j, s_.publisher, referenced);
    return {std::move(j), std::move(document)};
  }

  Response page() {
    const auto alerts = current(false);
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>" + escapeMarkup(s_.publisher.name) + ": public alerts</title>"
        "<link rel=\"stylesheet\" href=\"/public/style.css\">"
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"CAP feed\" href=\"/public/cap.atom\">"
        "</head><body><header><h1>" + escapeMarkup(s_.publisher.name) + ": public alerts</h1></header><main>\n";
    if (alerts.empty()) out += "<p>There is no alert in force.</p>\n";
    for (const auto& published : alerts) {
      const Job& j = published.job;
      out += "<article><p class=\"kind\">" + escapeMarkup(typeLabel(j.details.type)) + "</p><h2>" + escapeMarkup(j.title) + "</h2>\n";
      for (const auto& [language, text] : j.texts)
        out += "<p class=\"text\" lang=\"" + escapeMarkup(language) + "\">" + escapeMarkup(text) + "</p>\n";
      out += "<dl><dt>Area</dt><dd>";
      std::string area = j.target.all ? "the whole area" : "";
      for (const auto& z : j.target.zones) area += (area.empty() ? "" : ", ") + z;
      if (!j.target.circles.empty() || !j.target.polygons.empty()) area += (area.empty() ? "" : ", ") + std::string("a drawn area");
      out += escapeMarkup(area) + "</dd><dt>Issued</dt><dd>" + escapeMarkup(cap::formatCapTime(j.createdAt)) + "</dd>";
      if (j.expiresAt) out += "<dt>Until</dt><dd>" + escapeMarkup(cap::formatCapTime(*j.expiresAt)) + "</dd>";
      out += "</dl><p><a href=\"/public/alerts/" + std::to_string(j.id) + "\">CAP 1.2 document</a></p></article>\n";
    }
    out += "<p><a href=\"/public/cap.atom\">Atom feed of these alerts (CAP 1.2)</a></p></main></body></html>\n";
    return Response{200, "text/html; charset=utf-8", out, securityHeaders()};
  }

  Response feed() {
    const auto alerts = current(true);
    Timestamp updated{};
    for (const auto& a : alerts) updated = std::max(updated, a.job.updatedAt);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
    out += "  <id>urn:tocsin:" + escapeMarkup(s_.publisher.sender) + ":alerts</id>\n";
    out += "  <title>" + escapeMarkup(s_.publisher.name) + ": public alerts</title>\n";
    out += "  <updated>" + formatUtc(updated) + "</updated>\n";
    out += "  <author><name>" + escapeMarkup(s_.publisher.name) + "</name></author>\n";
    out += "  <link rel=\"self\" href=\"/public/cap.atom\"/>\n";
    for (const auto& [j, document] : alerts) {
      std::string cap = cap::write(document);
      cap = cap.substr(cap.find("<alert"));  // inline XML content: no declaration
      out += "  <entry>\n    <id>urn:tocsin:" + escapeMarkup(s_.publisher.sender) + ":" + cap::publishedIdentifier(j.id) + "</id>\n";
      out += "    <title>" + escapeMarkup(j.title) + "</title>\n";
      out += "    <updated>" + formatUtc(j.updatedAt) + "</updated>\n";
      out += "    <link rel=\"alternate\" type=\"application/cap+xml\" href=\"/public/alerts/" + std::to_string(j.id) + "\"/>\n";
      out += "    <content type=\"application/cap+xml\">\n" + cap + "    </content>\n  </entry>\n";
    }
    out += "</feed>\n";
    return Response{200, "application/atom+xml; charset=utf-8", out, securityHeaders()};
  }

  Response one(int64_t id) {
    std::optional<Published> found;
    auto store = s_.stores.acquire();
    const Timestamp now = s_.clock.now();
    check(store->read([&](StoreTx& tx) {
      if (auto job = tx.jobs().find(id); job && inForce(*job, now)) found = publish(tx, std::move(*job));
      return Status::okStatus();
    }));
    // The same answer for a draft, a test, an expired alert and an id that does not exist.
    if (!found) throw ApiError(404, "not_found", "no public alert in force has this id", "");
    return Response{200, "application/cap+xml; charset=utf-8", cap::write(found->document), securityHeaders()};
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

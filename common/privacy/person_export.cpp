#include "common/privacy/person_export.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <set>
#include <sstream>
#include <tuple>

#include "common/base/text.h"
#include "common/consent/export.h"

namespace tocsin {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr ordered() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

template <typename T>
void setOptional(Object::Ptr o, const std::string& key, const std::optional<T>& v) {
  if (v) o->set(key, *v);
}

// Everything read from the store in one snapshot.
struct Gathered {
  std::optional<Contact> contact;
  std::vector<ConsentEvent> history;
  std::vector<std::pair<std::string, ConsentStanding>> standings;
  std::vector<ConsentText> texts;
  PersonRecords records;
  bool suppressed = false;
};

Object::Ptr document(const Gathered& g, const PhoneNumber& phone, Timestamp at) {
  Object::Ptr doc = ordered();
  doc->set("format", std::string("tocsin-person-export"));
  doc->set("version", 1);
  doc->set("generated_at", formatUtc(at));
  doc->set("phone", phone.e164);
  if (g.contact) {
    Object::Ptr c = ordered();
    c->set("id", g.contact->id);
    setOptional(c, "name", g.contact->details.name);
    setOptional(c, "language", g.contact->details.language);
    setOptional(c, "time_zone", g.contact->details.timeZone);
    setOptional(c, "zone", g.contact->details.zone);
    setOptional(c, "latitude", g.contact->details.latitude);
    setOptional(c, "longitude", g.contact->details.longitude);
    c->set("number_type", g.contact->numberType);
    c->set("region", g.contact->region);
    c->set("source", g.contact->source);
    c->set("created_at", formatUtc(g.contact->createdAt));
    c->set("updated_at", formatUtc(g.contact->updatedAt));
    doc->set("contact", c);
  } else {
    doc->set("contact", Poco::Dynamic::Var());
  }
  Array::Ptr standings = new Array;
  for (const auto& [purpose, s] : g.standings) {
    Object::Ptr o = ordered();
    o->set("purpose", purpose);
    o->set("state", std::string(s.state == ConsentAction::kGranted ? "pending" : consentActionName(s.state)));
    o->set("since", formatUtc(s.since));
    standings->add(o);
  }
  doc->set("consent", standings);
  Array::Ptr history = new Array;
  for (const ConsentEvent& e : g.history) {
    Object::Ptr o = ordered();
    o->set("recorded_at", formatUtc(e.recordedAt));
    o->set("purpose", e.purpose);
    o->set("action", std::string(consentActionName(e.action)));
    setOptional(o, "text_id", e.textId);
    setOptional(o, "text_version", e.textVersion);
    setOptional(o, "text_sha256", e.textSha256);
    o->set("language", e.language);
    o->set("channel", e.channel);
    o->set("method", e.method);
    setOptional(o, "evidence", e.evidence);
    history->add(o);
  }
  doc->set("consent_history", history);
  Array::Ptr texts = new Array;
  for (const ConsentText& t : g.texts) {
    Object::Ptr o = ordered();
    o->set("text_id", t.textId);
    o->set("language", t.language);
    o->set("version", t.version);
    o->set("sha256", t.sha256);
    o->set("body", t.body);
    texts->add(o);
  }
  doc->set("consent_texts", texts);
  Array::Ptr messages = new Array;
  for (const PersonMessage& m : g.records.messages) {
    Object::Ptr o = ordered();
    o->set("date", formatUtc(m.createdAt));
    o->set("job", m.job);
    o->set("kind", m.kind);
    o->set("class", m.messageClass);
    o->set("title", m.title);
    o->set("state", m.state);
    setOptional(o, "bearer", m.bearer);
    o->set("last_change", formatUtc(m.updatedAt));
    messages->add(o);
  }
  doc->set("messages_sent", messages);
  Array::Ptr incoming = new Array;
  for (const PersonIncoming& m : g.records.incoming) {
    Object::Ptr o = ordered();
    o->set("received_at", formatUtc(m.receivedAt));
    if (m.body)
      o->set("text", *m.body);
    else
      o->set("text", Poco::Dynamic::Var());
    o->set("understood_as", m.intent);
    o->set("outcome", m.outcome);
    incoming->add(o);
  }
  doc->set("messages_received", incoming);
  doc->set("pending_signups", g.records.pendingSignups);
  doc->set("suppressed", g.suppressed);
  return doc;
}

void row(std::ostringstream& h, std::initializer_list<std::string> cells, const char* tag = "td") {
  h << "<tr>";
  for (const auto& c : cells) h << "<" << tag << ">" << escapeMarkup(c) << "</" << tag << ">";
  h << "</tr>\n";
}

std::string page(const Gathered& g, const PhoneNumber& phone, Timestamp at) {
  std::ostringstream h;
  h << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Your data held by Tocsin</title>"
       "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}table{border-collapse:collapse;"
       "width:100%;margin-bottom:1.5em}td,th{border:1px solid #999;padding:.3em;text-align:left;vertical-align:top}"
       "blockquote{border-left:4px solid #999;margin:0;padding:.3em 1em;white-space:pre-wrap}</style></head><body>\n";
  h << "<h1>Your data held by Tocsin</h1>\n<p>Number " << escapeMarkup(phone.e164) << ", copy made "
    << escapeMarkup(formatUtc(at)) << ". The signed JSON file beside this page is the authoritative copy.</p>\n";
  h << "<h2>About you</h2>\n";
  if (g.contact) {
    h << "<table>\n";
    row(h, {"Name", g.contact->details.name.value_or("(none)")});
    row(h, {"Language", g.contact->details.language.value_or("(none)")});
    row(h, {"Zone", g.contact->details.zone.value_or("(none)")});
    row(h, {"Added", formatUtc(g.contact->createdAt) + " through " + g.contact->source});
    h << "</table>\n";
  } else {
    h << "<p>No contact record holds this number.</p>\n";
  }
  h << "<h2>Your consent</h2>\n<table>\n";
  row(h, {"Purpose", "State", "Since"}, "th");
  for (const auto& [purpose, s] : g.standings)
    row(h, {purpose, s.state == ConsentAction::kGranted ? "pending" : consentActionName(s.state), formatUtc(s.since)});
  h << "</table>\n<h3>History</h3>\n<table>\n";
  row(h, {"When", "Purpose", "What", "Text", "How"}, "th");
  for (const ConsentEvent& e : g.history)
    row(h, {formatUtc(e.recordedAt), e.purpose, consentActionName(e.action),
            e.textId ? *e.textId + " v" + std::to_string(e.textVersion.value_or(0)) + " (" + e.language + ")" : "",
            e.channel + ", " + e.method});
  h << "</table>\n<h3>The texts you were shown</h3>\n";
  for (const ConsentText& t : g.texts)
    h << "<p>" << escapeMarkup(t.textId + " version " + std::to_string(t.version) + " (" + t.language + "), SHA-256 " +
                             t.sha256)
      << "</p>\n<blockquote>" << escapeMarkup(t.body) << "</blockquote>\n";
  h << "<h2>Messages sent to you</h2>\n<table>\n";
  row(h, {"Date", "Kind", "Class", "Job", "State"}, "th");
  for (const PersonMessage& m : g.records.messages)
    row(h, {formatUtc(m.createdAt), m.kind, m.messageClass, "#" + std::to_string(m.job) + " " + m.title, m.state});
  h << "</table>\n<h2>Messages you sent</h2>\n<table>\n";
  row(h, {"Received", "Text", "Understood as", "Outcome"}, "th");
  for (const PersonIncoming& m : g.records.incoming)
    row(h, {formatUtc(m.receivedAt), m.body.value_or("(deleted by retention)"), m.intent, m.outcome});
  h << "</table>\n<h2>Other</h2>\n<p>Pending sign-ups: " << g.records.pendingSignups << ". "
    << (g.suppressed ? "This number is on the do-not-contact list: it receives no promotional or imported messages."
                     : "This number is not on the do-not-contact list.")
    << "</p>\n</body></html>\n";
  return h.str();
}

}  // namespace

Result<PersonExport> exportPerson(Store& store, AuditLog& audit, const Ed25519KeyPair& key, const Suppressor& suppressor,
                                  const std::string& actor, const PhoneNumber& phone) {
  Gathered g;
  const Timestamp at = audit.clock().now();
  // Read and audited in one transaction, so the entry's counts match the copy.
  TOCSIN_RETURN_IF_ERROR(audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) {
    g = Gathered{};
    g.contact = tx.contacts().findByPhone(phone.e164);
    std::optional<ContactId> id;
    if (g.contact) {
      id = g.contact->id;
      g.history = tx.consent().history(g.contact->id);
      g.standings = tx.consent().standings(g.contact->id);
      std::set<std::tuple<std::string, std::string, int64_t>> cited;
      for (const ConsentEvent& e : g.history)
        if (e.textId && e.textVersion && cited.emplace(*e.textId, e.language, *e.textVersion).second)
          if (auto t = tx.consent().findText(*e.textId, e.language, e.textVersion)) g.texts.push_back(*t);
    }
    g.records = tx.privacy().personRecords(id, phone.e164);
    g.suppressed = tx.suppressions().contains(suppressor.fingerprint(phone.e164));
    rec.record("person.export", id ? "contact:" + std::to_string(*id) : std::string("contact:none"),
               "consent_events=" + std::to_string(g.history.size()) + " messages=" +
                   std::to_string(g.records.messages.size()) + " incoming=" + std::to_string(g.records.incoming.size()) +
                   " suppressed=" + (g.suppressed ? "yes" : "no"));
    return Status::okStatus();
  }));
  PersonExport out;
  out.found = g.contact || !g.records.messages.empty() || !g.records.incoming.empty() || g.records.pendingSignups > 0 ||
              g.suppressed;
  std::ostringstream json;
  document(g, phone, at)->stringify(json, 2);
  out.json = json.str() + "\n";
  TOCSIN_ASSIGN_OR_RETURN(out.signature, signatureFor(key, out.json, at));
  out.html = page(g, phone, at);
  return out;
}

Status writePersonExport(const PersonExport& e, const std::string& path) {
  TOCSIN_RETURN_IF_ERROR(writePrivateFile(path, e.json));
  TOCSIN_RETURN_IF_ERROR(writePrivateFile(path + ".sig", e.signature));
  return writePrivateFile(path + ".html", e.html);
}

}  // namespace tocsin

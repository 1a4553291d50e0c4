#include "broadcaster/cap/cap_writer.h"

#include "common/base/text.h"

namespace tocsin::cap {
namespace {

class Writer {
 public:
  void open(const char* name) {
    indent();
    out_ += "<" + std::string(name) + ">\n";
    ++depth_;
  }
  void close(const char* name) {
    --depth_;
    indent();
    out_ += "</" + std::string(name) + ">\n";
  }
  // An element with text; an empty optional one is left out.
  void element(const char* name, const std::string& value, bool required = false) {
    if (value.empty() && !required) return;
    indent();
    out_ += "<" + std::string(name) + ">";
    out_ += escapeMarkup(value);
    out_ += "</" + std::string(name) + ">\n";
  }
  void time(const char* name, const std::optional<Timestamp>& t) {
    if (t) element(name, formatCapTime(*t), true);
  }
  void pairs(const char* name, const std::vector<NamedValue>& values) {
    for (const auto& [valueName, value] : values) {
      open(name);
      element("valueName", valueName, true);
      element("value", value, true);
      close(name);
    }
  }
  void raw(const std::string& text) { out_ += text; }
  void nest() { ++depth_; }
  std::string take() { return std::move(out_); }

 private:
  void indent() { out_.append(static_cast<size_t>(depth_) * 2, ' '); }
  std::string out_;
  int depth_ = 0;
};

void writeArea(Writer& w, const Area& area) {
  w.open("area");
  w.element("areaDesc", area.description, true);
  for (const auto& p : area.polygons) w.element("polygon", p, true);
  for (const auto& c : area.circles) w.element("circle", c, true);
  w.pairs("geocode", area.geocodes);
  w.close("area");
}

void writeInfo(Writer& w, const Info& info) {
  w.open("info");
  w.element("language", info.language);
  for (const auto& c : info.categories) w.element("category", c, true);
  w.element("event", info.event, true);
  for (const auto& r : info.responseTypes) w.element("responseType", r, true);
  w.element("urgency", info.urgency, true);
  w.element("severity", info.severity, true);
  w.element("certainty", info.certainty, true);
  w.element("audience", info.audience);
  w.pairs("eventCode", info.eventCodes);
  w.time("effective", info.effective);
  w.time("onset", info.onset);
  w.time("expires", info.expires);
  w.element("senderName", info.senderName);
  w.element("headline", info.headline);
  w.element("description", info.description);
  w.element("instruction", info.instruction);
  w.element("web", info.web);
  w.element("contact", info.contact);
  w.pairs("parameter", info.parameters);
  for (const auto& a : info.areas) writeArea(w, a);
  w.close("info");
}

}  // namespace

std::string formatCapTime(Timestamp t) {
  // In whole seconds formatUtc ends "...:SSZ"; CAP writes UTC as -00:00.
  std::string text = formatUtc(std::chrono::floor<std::chrono::seconds>(t));
  text.pop_back();
  return text + "-00:00";
}

std::string write(const Alert& alert) {
  Writer w;
  w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n");
  w.nest();
  w.element("identifier", alert.identifier, true);
  w.element("sender", alert.sender, true);
  w.element("sent", formatCapTime(alert.sent), true);
  w.element("status", alert.status, true);
  w.element("msgType", alert.msgType, true);
  w.element("source", alert.source);
  w.element("scope", alert.scope, true);
  w.element("restriction", alert.restriction);
  w.element("addresses", alert.addresses);
  for (const auto& c : alert.codes) w.element("code", c, true);
  w.element("note", alert.note);
  w.element("references", alert.references);
  w.element("incidents", alert.incidents);
  for (const auto& info : alert.infos) writeInfo(w, info);
  w.raw("</alert>\n");
  return w.take();
}

}  // namespace tocsin::cap

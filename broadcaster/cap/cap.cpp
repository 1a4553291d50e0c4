#include "broadcaster/cap/cap.h"

#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/ContentHandler.h>
#include <Poco/SAX/DeclHandler.h>
#include <Poco/SAX/InputSource.h>
#include <Poco/SAX/LexicalHandler.h>
#include <Poco/SAX/Locator.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/SAX/SAXParser.h>

#include <algorithm>
#include <sstream>

#include "common/base/text.h"

namespace tocsin::cap {
namespace {

constexpr const char* kNamespace12 = "urn:oasis:names:tc:emergency:cap:1.2";

bool oneOf(const std::string& v, std::initializer_list<const char*> allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return v == a; });
}

// A failure raised from inside the SAX callbacks, carrying our own message.
struct Refusal : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Handler final : public Poco::XML::ContentHandler {
 public:
  explicit Handler(const Limits& limits) : limits_(limits) {}

  Alert alert;
  bool sawRoot = false;
  std::optional<std::string> refusal;

  void setDocumentLocator(const Poco::XML::Locator* loc) override { locator_ = loc; }
  void startDocument() override {}
  void endDocument() override {}
  void startPrefixMapping(const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {}
  void endPrefixMapping(const Poco::XML::XMLString&) override {}
  void ignorableWhitespace(const Poco::XML::XMLChar*, int, int) override {}
  void skippedEntity(const Poco::XML::XMLString& name) override { fail("refers to entity '" + name + "'"); }
  void processingInstruction(const Poco::XML::XMLString& target, const Poco::XML::XMLString&) override {
    if (refusal) return;
    alert.warnings.push_back("ignored processing instruction <?" + target + "?>");
  }

  void startElement(const Poco::XML::XMLString& uri, const Poco::XML::XMLString& local, const Poco::XML::XMLString&,
                    const Poco::XML::Attributes&) override {
    if (refusal) return;
    if (++elements_ > limits_.maxElements) return fail("has more than " + std::to_string(limits_.maxElements) + " elements");
    if (static_cast<int>(path_.size()) >= limits_.maxDepth)
      return fail("is nested deeper than " + std::to_string(limits_.maxDepth) + " levels");
    if (path_.empty()) {
      if (local != "alert") return fail("has root element <" + local + ">, not <alert>");
      if (uri != kNamespace12) {
        if (uri.rfind("urn:oasis:names:tc:emergency:cap:", 0) == 0)
          return fail("is CAP version " + uri.substr(33) + "; Tocsin reads CAP 1.2 (namespace " + kNamespace12 + ")");
        return fail("has namespace '" + uri + "'; CAP 1.2 documents use " + kNamespace12);
      }
      sawRoot = true;
    } else if (uri != kNamespace12) {
      // Foreign elements (an XML signature, say) are skipped whole.
      if (skipDepth_ == 0) skipDepth_ = path_.size() + 1;
    }
    path_.push_back(local);
    text_.clear();
    if (skipDepth_) return;
    const std::string where = context();
    if (local == "info" && where == "alert/info") {
      if (alert.infos.size() >= limits_.maxInfos)
        return fail("has more than " + std::to_string(limits_.maxInfos) + " <info> blocks");
      alert.infos.emplace_back();
    } else if (local == "area" && where == "alert/info/area") {
      if (alert.infos.back().areas.size() >= limits_.maxAreasPerInfo)
        return fail("has more than " + std::to_string(limits_.maxAreasPerInfo) + " areas in one <info>");
      alert.infos.back().areas.emplace_back();
    }
  }

  void characters(const Poco::XML::XMLChar ch[], int start, int length) override {
    if (refusal || skipDepth_) return;
    text_.append(ch + start, static_cast<size_t>(length));
  }

  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString& local, const Poco::XML::XMLString&) override {
    if (refusal) return;
    if (skipDepth_) {
      if (path_.size() == skipDepth_) skipDepth_ = 0;
      path_.pop_back();
      return;
    }
    const std::string where = context();
    const std::string value = trim(text_);
    text_.clear();
    assign(where, local, value);
    path_.pop_back();
    // A valueName/value pair is complete when its parent closes.
    if (local == "eventCode" || local == "parameter" || local == "geocode") pair_ = {};
  }

 private:
  // Records the first refusal; every later event is ignored. Nothing is thrown through the XML
  // parser's C frames, which would leak what it holds for the element in progress.
  void fail(const std::string& what) {
    if (refusal) return;
    const int line = locator_ ? locator_->getLineNumber() : 0;
    refusal = "the CAP document " + what + (line > 0 ? " (line " + std::to_string(line) + ")" : "");
  }

  std::string context() const {
    std::string c;
    for (size_t i = 0; i < path_.size(); ++i) c += (i ? "/" : "") + path_[i];
    return c;
  }

  Timestamp time(const std::string& name, const std::string& v) {
    std::string text = v;
    if (!text.empty() && text.back() == 'Z') {
      alert.warnings.push_back("<" + name + "> uses 'Z'; CAP 1.2 writes UTC as -00:00");
    }
    auto t = parseTimestamp(text);
    if (!t.ok() || text.size() < 19) {
      fail("has an invalid <" + name + "> '" + v + "' (expected 2026-11-22T09:30:00+01:00)");
      return Timestamp{};
    }
    return *t;
  }

  // After a refusal the value may be stored anyway: the whole document is refused.
  void assign(const std::string& where, const std::string& local, const std::string& v) {
    if (!isValidUtf8(v)) return fail("has invalid UTF-8 in <" + local + ">");
    if (where.rfind("alert/info/area/", 0) == 0) {
      Area& a = alert.infos.back().areas.back();
      if (local == "areaDesc") a.description = v;
      else if (local == "polygon") {
        if (v.empty()) {
          alert.warnings.push_back("ignored an empty <polygon>");
          return;
        }
        if (static_cast<size_t>(std::count(v.begin(), v.end(), ',')) > limits_.maxPointsPerPolygon)
          fail("has a polygon of more than " + std::to_string(limits_.maxPointsPerPolygon) + " points");
        a.polygons.push_back(v);
      } else if (local == "circle") a.circles.push_back(v);
      else if (where == "alert/info/area/geocode/valueName") pair_.first = v;
      else if (where == "alert/info/area/geocode/value") a.geocodes.emplace_back(pair_.first, v);
      return;
    }
    if (where.rfind("alert/info/", 0) == 0) {
      Info& i = alert.infos.back();
      if (where == "alert/info/eventCode/valueName" || where == "alert/info/parameter/valueName") pair_.first = v;
      else if (where == "alert/info/eventCode/value") i.eventCodes.emplace_back(pair_.first, v);
      else if (where == "alert/info/parameter/value") i.parameters.emplace_back(pair_.first, v);
      else if (local == "language") i.language = v;
      else if (local == "category") {
        if (!oneOf(v, {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"}))
          fail("has an unknown <category> '" + v + "'");
        i.categories.push_back(v);
      } else if (local == "event") i.event = v;
      else if (local == "responseType") {
        if (!oneOf(v, {"Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"}))
          fail("has an unknown <responseType> '" + v + "'");
        i.responseTypes.push_back(v);
      } else if (local == "urgency") {
        if (!oneOf(v, {"Immediate", "Expected", "Future", "Past", "Unknown"})) fail("has an unknown <urgency> '" + v + "'");
        i.urgency = v;
      } else if (local == "severity") {
        if (!oneOf(v, {"Extreme", "Severe", "Moderate", "Minor", "Unknown"})) fail("has an unknown <severity> '" + v + "'");
        i.severity = v;
      } else if (local == "certainty") {
        if (v == "Very Likely") {  // CAP 1.0's value, still seen
          alert.warnings.push_back("<certainty> 'Very Likely' read as 'Likely'");
          i.certainty = "Likely";
        } else if (!oneOf(v, {"Observed", "Likely", "Possible", "Unlikely", "Unknown"})) {
          fail("has an unknown <certainty> '" + v + "'");
        } else {
          i.certainty = v;
        }
      } else if (local == "audience") i.audience = v;
      else if (local == "effective") i.effective = time(local, v);
      else if (local == "onset") i.onset = time(local, v);
      else if (local == "expires") i.expires = time(local, v);
      else if (local == "senderName") i.senderName = v;
      else if (local == "headline") i.headline = v;
      else if (local == "description") i.description = v;
      else if (local == "instruction") i.instruction = v;
      else if (local == "web") i.web = v;
      else if (local == "contact") i.contact = v;
      return;
    }
    if (where == "alert/identifier") alert.identifier = v;
    else if (where == "alert/sender") alert.sender = v;
    else if (where == "alert/sent") alert.sent = time(local, v);
    else if (where == "alert/status") {
      if (!oneOf(v, {"Actual", "Exercise", "System", "Test", "Draft"})) fail("has an unknown <status> '" + v + "'");
      alert.status = v;
    } else if (where == "alert/msgType") {
      if (!oneOf(v, {"Alert", "Update", "Cancel", "Ack", "Error"})) fail("has an unknown <msgType> '" + v + "'");
      alert.msgType = v;
    } else if (where == "alert/source") alert.source = v;
    else if (where == "alert/scope") {
      if (!oneOf(v, {"Public", "Restricted", "Private"})) fail("has an unknown <scope> '" + v + "'");
      alert.scope = v;
    } else if (where == "alert/restriction") alert.restriction = v;
    else if (where == "alert/addresses") alert.addresses = v;
    else if (where == "alert/code") alert.codes.push_back(v);
    else if (where == "alert/note") alert.note = v;
    else if (where == "alert/references") alert.references = v;
    else if (where == "alert/incidents") alert.incidents = v;
  }

  const Limits& limits_;
  const Poco::XML::Locator* locator_ = nullptr;
  std::vector<std::string> path_;
  std::string text_;
  std::pair<std::string, std::string> pair_;
  size_t elements_ = 0;
  size_t skipDepth_ = 0;
};

// A CAP document needs no document type and no entity; any of them is refused by the parser as it
// meets it, before anything could be expanded or fetched.
class NoDeclarations final : public Poco::XML::LexicalHandler, public Poco::XML::DeclHandler {
 public:
  void startDTD(const Poco::XML::XMLString& name, const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {
    throw Refusal("the CAP document declares a DOCTYPE (" + name + "); CAP needs none and Tocsin refuses it");
  }
  void endDTD() override {}
  void startEntity(const Poco::XML::XMLString& name) override {
    throw Refusal("the CAP document refers to entity '" + name + "'; Tocsin expands no entity");
  }
  void endEntity(const Poco::XML::XMLString&) override {}
  void startCDATA() override {}
  void endCDATA() override {}
  void comment(const Poco::XML::XMLChar[], int, int) override {}
  void attributeDecl(const Poco::XML::XMLString&, const Poco::XML::XMLString&, const Poco::XML::XMLString*,
                     const Poco::XML::XMLString*) override {
    throw Refusal("the CAP document declares attributes; Tocsin refuses declarations");
  }
  void elementDecl(const Poco::XML::XMLString&, const Poco::XML::XMLString&) override {
    throw Refusal("the CAP document declares elements; Tocsin refuses declarations");
  }
  void externalEntityDecl(const Poco::XML::XMLString& name, const Poco::XML::XMLString*, const Poco::XML::XMLString&) override {
    throw Refusal("the CAP document declares entity '" + name + "'; Tocsin refuses entities");
  }
  void internalEntityDecl(const Poco::XML::XMLString& name, const Poco::XML::XMLString&) override {
    throw Refusal("the CAP document declares entity '" + name + "'; Tocsin refuses entities");
  }
};

// Tocsin reads CAP in UTF-8 only: a byte-order mark or the NUL bytes of UTF-16/32, or an XML
// declaration naming another encoding, is refused before parsing (the parser is also told the
// encoding, so nothing can switch it).
Status checkUtf8Only(std::string_view xml) {
  if (xml.substr(0, 2) == "\xFE\xFF" || xml.substr(0, 2) == "\xFF\xFE" || xml.substr(0, 4).find('\0') != std::string_view::npos)
    return Status::invalid("the CAP document is not UTF-8 (it looks like UTF-16 or UTF-32); Tocsin reads UTF-8 only");
  if (xml.substr(0, 3) == "\xEF\xBB\xBF") xml.remove_prefix(3);
  if (xml.substr(0, 5) != "<?xml") return Status::okStatus();
  const std::string_view decl = xml.substr(0, xml.find("?>"));
  const auto at = decl.find("encoding");
  if (at == std::string_view::npos) return Status::okStatus();
  const auto open = decl.find_first_of("'\"", at);
  if (open == std::string_view::npos) return Status::invalid("the CAP document's XML declaration is malformed");
  const auto close = decl.find(decl[open], open + 1);
  const std::string encoding = toLower(decl.substr(open + 1, close == std::string_view::npos ? 0 : close - open - 1));
  if (encoding != "utf-8" && encoding != "utf8")
    return Status::invalid("the CAP document declares encoding '" + encoding + "'; Tocsin reads UTF-8 only");
  return Status::okStatus();
}

bool badIdentifier(const std::string& s) {
  return s.empty() || s.find_first_of(" ,<&") != std::string::npos || hasControlCharacters(s);
}

}  // namespace

Result<Alert> parse(std::string_view xml, const Limits& limits) {
  if (xml.size() > limits.maxBytes)
    return Status::invalid("the CAP document is " + std::to_string(xml.size()) + " bytes; at most " +
                           std::to_string(limits.maxBytes) + " are accepted");
  TOCSIN_RETURN_IF_ERROR(checkUtf8Only(xml));
  // No declaration reaches the parser at all (its handlers below are a second line).
  if (xml.find("<!DOCTYPE") != std::string_view::npos)
    return Status::invalid("the CAP document declares a DOCTYPE; CAP needs none and Tocsin refuses it");
  if (xml.find("<!ENTITY") != std::string_view::npos)
    return Status::invalid("the CAP document declares an entity; Tocsin refuses entities");
  Handler handler(limits);
  NoDeclarations noDeclarations;
  try {
    Poco::XML::SAXParser parser;
    parser.setEncoding("UTF-8");
    parser.setProperty(Poco::XML::XMLReader::PROPERTY_LEXICAL_HANDLER,
                       static_cast<Poco::XML::LexicalHandler*>(&noDeclarations));
    parser.setProperty(Poco::XML::XMLReader::PROPERTY_DECLARATION_HANDLER,
                       static_cast<Poco::XML::DeclHandler*>(&noDeclarations));
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACE_PREFIXES, false);
    parser.setFeature(Poco::XML::SAXParser::FEATURE_PARTIAL_READS, false);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
    parser.setContentHandler(&handler);
    std::istringstream in{std::string(xml)};
    Poco::XML::InputSource source(in);
    parser.parse(&source);
    if (handler.refusal) return Status::invalid(*handler.refusal);
  } catch (const Refusal& r) {
    return Status::invalid(r.what());
  } catch (const Poco::Exception& e) {
    // A refusal comes first: the document may also be malformed after the refused part.
    if (handler.refusal) return Status::invalid(*handler.refusal);
    return Status::invalid("the CAP document is not well-formed XML: " + e.message());
  }
  if (!handler.sawRoot) return Status::invalid("the CAP document has no <alert> element");
  Alert& a = handler.alert;
  std::vector<std::string> missing;
  if (a.identifier.empty()) missing.push_back("identifier");
  if (a.sender.empty()) missing.push_back("sender");
  if (a.sent == Timestamp{}) missing.push_back("sent");
  if (a.status.empty()) missing.push_back("status");
  if (a.msgType.empty()) missing.push_back("msgType");
  if (a.scope.empty()) missing.push_back("scope");
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size(); ++i) list += (i ? ", <" : "<") + missing[i] + ">";
    return Status::invalid("the CAP document lacks required " + list);
  }
  if (badIdentifier(a.identifier)) return Status::invalid("the CAP <identifier> must not be empty nor hold spaces, commas, '<' or '&'");
  if (badIdentifier(a.sender)) return Status::invalid("the CAP <sender> must not be empty nor hold spaces, commas, '<' or '&'");
  if ((a.msgType == "Update" || a.msgType == "Cancel") && a.references.empty())
    return Status::invalid("a CAP " + a.msgType + " must name the message it replaces in <references>");
  for (size_t i = 0; i < a.infos.size(); ++i) {
    const Info& info = a.infos[i];
    const std::string which = "<info> #" + std::to_string(i + 1);
    if (info.categories.empty() || info.event.empty() || info.urgency.empty() || info.severity.empty() || info.certainty.empty())
      return Status::invalid("the CAP document's " + which + " lacks one of <category>, <event>, <urgency>, <severity>, <certainty>");
    for (const auto& area : info.areas)
      if (area.description.empty()) return Status::invalid("the CAP document's " + which + " has an <area> without <areaDesc>");
  }
  return std::move(handler.alert);
}

}  // namespace tocsin::cap

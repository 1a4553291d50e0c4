// tocsinctl text segments, pdu decode, smpp decode: the codecs from the command line.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <ostream>

#include "broadcaster/cli/cli.h"
#include "common/crypto/hash.h"
#include "common/text/sms_text.h"
#include "hardware/smpp/codec.h"
#include "hardware/smpp/describe.h"
#include "hardware/tpdu/describe.h"

namespace tocsin::cli {
namespace {

void printJson(std::ostream& out, const Poco::JSON::Object::Ptr& o) {
  o->stringify(out, 2);
  out << "\n";
}

Status textSegments(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"normalize"}, {"ref16", false}});
  args.expectPositionals(1, 1, "text segments TEXT [--normalize none|lookalikes|accents] [--ref16]");
  text::SegmentOptions opts;
  TOCSIN_ASSIGN_OR_RETURN(opts.normalization, text::parseNormalization(args.getOr("normalize", "none")));
  opts.reference16 = args.flag("ref16");
  TOCSIN_ASSIGN_OR_RETURN(text::SmsPlan plan, text::planSms(args.positionals()[0], opts));
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("encoding", std::string(text::encodingName(plan.encoding)));
  o->set("parts", plan.parts.size());
  o->set("units", plan.totalUnits);
  o->set("unit", std::string(plan.encoding == text::SmsEncoding::kGsm7 ? "septets" : "utf-16 units"));
  o->set("part_capacity", plan.partCapacity);
  o->set("units_left_in_last_part", plan.unitsLeft);
  Poco::JSON::Array::Ptr forcing = new Poco::JSON::Array;
  for (const auto& c : plan.ucs2Characters) forcing->add(c);
  o->set("ucs2_characters", forcing);
  if (opts.normalization != text::Normalization::kNone) {
    o->set("replaced_characters", plan.replacedCharacters);
    o->set("text", plan.text);
  }
  Poco::JSON::Array::Ptr parts = new Poco::JSON::Array;
  for (const auto& p : plan.parts) parts->add(p.units);
  o->set("units_per_part", parts);
  printJson(ctx.out, o);
  return Status::okStatus();
}

Status pduDecode(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"no-smsc", false}});
  args.expectPositionals(1, 1, "pdu decode HEX [--no-smsc]   (SMSC field + TPDU, as in +CMGR / +CMT / AT+CMGS)");
  auto m = args.flag("no-smsc") ? tpdu::decodeTpduHex(args.positionals()[0]) : tpdu::decodePduMode(args.positionals()[0]);
  if (!m.ok()) return m.status().withContext("malformed PDU");
  printJson(ctx.out, tpdu::describe(*m));
  return Status::okStatus();
}

Status smppDecode(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "smpp decode HEX");
  std::string hex;
  for (char c : args.positionals()[0])
    if (c != ' ' && c != ':' && c != '\n') hex += c;
  auto bytes = fromHex(hex);
  if (!bytes.ok()) return bytes.status().withContext("malformed PDU");
  const std::string raw(bytes->begin(), bytes->end());
  const smpp::Decoded decoded = smpp::decode(raw);
  if (const auto* e = std::get_if<smpp::DecodeError>(&decoded))
    return Status::invalid("malformed PDU: " + e->reason + " (a peer would answer " + smpp::statusName(e->status) + ")");
  printJson(ctx.out, smpp::describe(std::get<smpp::Pdu>(decoded), raw.size()));
  return Status::okStatus();
}

}  // namespace

const std::vector<Command>& codecCommands() {
  static const std::vector<Command> kCommands = {
      {"text segments", "text segments TEXT [--normalize M] [--ref16]", "encoding, parts and room left, as JSON",
       textSegments},
      {"pdu decode", "pdu decode HEX [--no-smsc]", "decode a PDU-mode SMS (SMSC + TPDU) as JSON", pduDecode},
      {"smpp decode", "smpp decode HEX", "decode an SMPP 3.4 PDU as JSON", smppDecode},
  };
  return kCommands;
}

}  // namespace tocsin::cli

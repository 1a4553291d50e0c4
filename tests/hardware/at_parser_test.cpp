// The AT reply parser against replies as real modems write them, one table per device family.
#include <catch2/catch.hpp>

#include "hardware/modem/at_parser.h"

using namespace tocsin::modem;
using Kind = AtEvent::Kind;

namespace {

std::vector<AtEvent> run(AtParser& p, const std::string& command, const std::string& prefix, const std::string& bytes,
                         bool byteByByte = false) {
  p.beginCommand(command, prefix);
  std::vector<AtEvent> all;
  if (byteByByte) {
    for (char c : bytes)
      for (auto& e : p.feed(std::string(1, c))) all.push_back(e);
  } else {
    all = p.feed(bytes);
  }
  for (const auto& e : all)
    if (e.kind == Kind::kFinal) p.endCommand();
  return all;
}

}  // namespace

TEST_CASE("SIM800-style replies: echo on, prompt, +CMGS and OK") {
  AtParser p;
  auto e = run(p, "AT+CMGS=23", "+CMGS:", "AT+CMGS=23\r\r\n> ");
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == Kind::kPrompt);
  e = p.feed("0011000B916407281553F80000AA0AE8329BFD4697D9EC37\x1A\r\n+CMGS: 183\r\n\r\nOK\r\n");
  REQUIRE(e.size() == 3);  // the echoed PDU line comes back as information, then +CMGS, then OK
  CHECK(e[1].line == "+CMGS: 183");
  CHECK(e[1].kind == Kind::kInfo);
  CHECK(e[2].kind == Kind::kFinal);
  CHECK(e[2].final == FinalResult::kOk);
}

TEST_CASE("Replies split across reads, even one byte at a time, parse the same") {
  for (bool oneByOne : {false, true}) {
    AtParser p;
    auto e = run(p, "AT+CSQ", "+CSQ:", "\r\n+CSQ: 21,99\r\n\r\nOK\r\n", oneByOne);
    REQUIRE(e.size() == 2);
    CHECK(e[0].line == "+CSQ: 21,99");
    CHECK(atFields(e[0].line) == std::vector<std::string>{"21", "99"});
    CHECK(e[1].final == FinalResult::kOk);
  }
}

TEST_CASE("Huawei-style: ^RSSI and ^BOOT codes in the middle of an answer are unsolicited") {
  AtParser p;
  auto e = run(p, "AT+CGMM", "", "\r\n^RSSI:17\r\n\r\nE3372\r\n^BOOT:21712,0,0,0,23\r\n\r\nOK\r\n");
  REQUIRE(e.size() == 4);
  CHECK(e[0].kind == Kind::kUnsolicited);
  CHECK(e[1].kind == Kind::kInfo);
  CHECK(e[1].line == "E3372");
  CHECK(e[2].kind == Kind::kUnsolicited);
  CHECK(e[3].kind == Kind::kFinal);
}

TEST_CASE("Quectel-style: +CMTI and +QIND arrive between the prompt and the result") {
  AtParser p;
  auto e = run(p, "AT+CMGS=20", "+CMGS:", "\r\n> ");
  CHECK(e[0].kind == Kind::kPrompt);
  e = p.feed("\r\n+CMTI: \"SM\",3\r\n\r\n+QIND: SMS DONE\r\n\r\n+CMGS: 7\r\n\r\nOK\r\n");
  REQUIRE(e.size() == 4);
  CHECK(e[0].kind == Kind::kUnsolicited);
  CHECK(atFields(e[0].line) == std::vector<std::string>{"SM", "3"});
  CHECK(e[1].kind == Kind::kUnsolicited);
  CHECK(e[2].line == "+CMGS: 7");
  CHECK(e[3].final == FinalResult::kOk);
}

TEST_CASE("+CREG is the answer to AT+CREG? but unsolicited otherwise") {
  AtParser p;
  auto e = run(p, "AT+CREG?", "+CREG:", "\r\n+CREG: 1,5\r\n\r\nOK\r\n");
  CHECK(e[0].kind == Kind::kInfo);
  e = run(p, "AT+CSQ", "+CSQ:", "\r\n+CREG: 2\r\n\r\n+CSQ: 9,99\r\n\r\nOK\r\n");
  CHECK(e[0].kind == Kind::kUnsolicited);
  CHECK(e[1].kind == Kind::kInfo);
  CHECK(p.feed("\r\n+CREG: 1\r\n")[0].kind == Kind::kUnsolicited);
}

TEST_CASE("Lines carrying a PDU get it attached: +CMT, +CDS, +CMGR, +CMGL") {
  AtParser p;
  auto urc = p.feed("\r\n+CDS: 25\r\n0006D60B911326880736F4111011719551401110117195714000\r\n");
  REQUIRE(urc.size() == 1);
  CHECK(urc[0].kind == Kind::kUnsolicited);
  CHECK(urc[0].pdu == "0006D60B911326880736F4111011719551401110117195714000");
  auto cmt = p.feed("\r\n+CMT: ,28\r\n06917228195339040B917228214365F70000313062315352800A800D8A5E98D337A910\r\n");
  REQUIRE(cmt.size() == 1);
  CHECK(cmt[0].pdu.has_value());
  auto list = run(p, "AT+CMGL=4", "+CMGL:",
                  "\r\n+CMGL: 1,0,,23\r\n0011000B916407281553F80000AA0AE8329BFD4697D9EC37\r\n+CMGL: 4,1,,23\r\n"
                  "0011000B916407281553F80000AA0AE8329BFD4697D9EC37\r\n\r\nOK\r\n");
  REQUIRE(list.size() == 3);
  CHECK(list[0].kind == Kind::kInfo);
  CHECK(list[0].pdu.has_value());
  CHECK(atFields(list[1].line)[0] == "4");
}

TEST_CASE("Final results with error codes, numeric or verbose") {
  AtParser p;
  auto e = run(p, "AT+CMGS=20", "+CMGS:", "\r\n+CMS ERROR: 500\r\n");
  CHECK(e[0].final == FinalResult::kCmsError);
  CHECK(e[0].errorCode == 500);
  e = run(p, "AT+CPIN?", "+CPIN:", "\r\n+CME ERROR: SIM not inserted\r\n");
  CHECK(e[0].final == FinalResult::kCmeError);
  CHECK(e[0].errorCode == -1);
  e = run(p, "AT+FOO", "", "\r\nERROR\r\n");
  CHECK(e[0].final == FinalResult::kError);
}

TEST_CASE("A prompt without its space, and noise before the first answer") {
  AtParser p;
  auto e = run(p, "AT+CMGS=20", "+CMGS:", "\r\n>");
  REQUIRE(e.size() == 1);
  CHECK(e[0].kind == Kind::kPrompt);
  AtParser q;
  static const char kNoise[] = "\x00\xff\x00\r\nAT\r\r\nOK\r\n";
  const std::string noise(kNoise, sizeof kNoise - 1);
  auto n = run(q, "AT", "", noise);
  REQUIRE(n.size() == 1);
  CHECK(n[0].final == FinalResult::kOk);
}

// The answers to AT+CSQ and AT+CREG? and the +CREG result code, read by pure functions, from a
// table of replies as modems send them: the 3GPP TS 27.007 forms, with the spacing and quoting
// variants module manuals show (no space after the colon, spaces after commas, LAC and cell id
// quoted, an access technology or not, SMS-only registration from LTE modules).
#include <catch2/catch.hpp>

#include "hardware/modem/at_parser.h"

using namespace tocsin::modem;

TEST_CASE("+CSQ: the signal in dBm and the bit error rate, 99 meaning unknown") {
  struct Row {
    const char* line;
    std::optional<int> dbm, ber;
  };
  const Row rows[] = {
      {"+CSQ: 14,99", -85, std::nullopt},      // a USB stick, bit error rate not measured
      {"+CSQ: 31,0", -51, 0},                  // the strongest reported
      {"+CSQ: 0,0", -113, 0},                  // the weakest
      {"+CSQ: 1,3", -111, 3},
      {"+CSQ: 99,99", std::nullopt, std::nullopt},  // no signal known (no antenna, no network)
      {"+CSQ:21,99", -71, std::nullopt},       // no space after the colon
      {"+CSQ: 17 , 0", -79, 0},                // spaces around the comma
  };
  for (const Row& r : rows) {
    INFO(r.line);
    const auto q = parseCsq(r.line);
    REQUIRE(q);
    CHECK(q->dbm == r.dbm);
    CHECK(q->bitErrorRate == r.ber);
  }
  for (const char* bad : {"+CSQ: 32,99", "+CSQ: 17", "+CSQ: -1,0", "+CSQ: 17,8", "+CSQ: a,b", "+CREG: 0,1", "", "+CSQ: 17,99,1"}) {
    INFO(bad);
    CHECK_FALSE(parseCsq(bad));
  }
}

TEST_CASE("+CREG: the answer to AT+CREG? and the unsolicited code, with and without location") {
  struct Row {
    const char* line;
    CregSource source;
    int stat;
    bool canSend;
    std::optional<std::string> lac, cell;
    std::optional<int> act;
  };
  const Row rows[] = {
      {"+CREG: 0,1", CregSource::kAnswer, 1, true, {}, {}, {}},     // registered, home
      {"+CREG: 1,5", CregSource::kAnswer, 5, true, {}, {}, {}},     // roaming
      {"+CREG: 0,2", CregSource::kAnswer, 2, false, {}, {}, {}},    // searching
      {"+CREG: 0,3", CregSource::kAnswer, 3, false, {}, {}, {}},    // denied (SIM barred)
      {"+CREG: 0,0", CregSource::kAnswer, 0, false, {}, {}, {}},    // not searching
      {"+CREG:0,1", CregSource::kAnswer, 1, true, {}, {}, {}},      // no space after the colon
      {"+CREG: 0,6", CregSource::kAnswer, 6, true, {}, {}, {}},     // LTE: registered for SMS only
      {"+CREG: 0,8", CregSource::kAnswer, 8, false, {}, {}, {}},    // emergency calls only
      {"+CREG: 2,1,\"00C3\",\"0DCB5A07\"", CregSource::kAnswer, 1, true, "00C3", "0DCB5A07", {}},
      {"+CREG: 2,1,\"1B4C\",\"0DF3C901\",7", CregSource::kAnswer, 1, true, "1B4C", "0DF3C901", 7},  // E-UTRAN
      {"+CREG: 2,5, \"D2AD\", \"5A07\", 2", CregSource::kAnswer, 5, true, "D2AD", "5A07", 2},      // spaces after commas
      {"+CREG: 1", CregSource::kUnsolicited, 1, true, {}, {}, {}},
      {"+CREG: 2", CregSource::kUnsolicited, 2, false, {}, {}, {}},  // lost the network, searching
      {"+CREG: 5,\"00C3\",\"1A2B\"", CregSource::kUnsolicited, 5, true, "00C3", "1A2B", {}},
      {"+CREG: 1,\"0F6B\",\"5D3C\",0", CregSource::kUnsolicited, 1, true, "0F6B", "5D3C", 0},  // GSM
  };
  for (const Row& r : rows) {
    INFO(r.line);
    const auto reg = parseCreg(r.line, r.source);
    REQUIRE(reg);
    CHECK(reg->stat == r.stat);
    CHECK(reg->canSendSms() == r.canSend);
    CHECK(reg->lac == r.lac);
    CHECK(reg->cellId == r.cell);
    CHECK(reg->accessTechnology == r.act);
  }
  // The same line reads differently by where it came from: "1,5" answers a query (n=1, stat 5),
  // while as a result code it would be a status with half a location.
  CHECK(parseCreg("+CREG: 1,5", CregSource::kAnswer)->stat == 5);
  CHECK_FALSE(parseCreg("+CREG: 1,5", CregSource::kUnsolicited));
  for (const char* bad : {"+CREG: 0,11", "+CREG: x,1", "+CREG: 0,1,\"ZZZZ\",\"1A2B\"", "+CSQ: 0,1", "+CREG:", "+CGREG: 0,1"}) {
    INFO(bad);
    CHECK_FALSE(parseCreg(bad, CregSource::kAnswer));
  }
}

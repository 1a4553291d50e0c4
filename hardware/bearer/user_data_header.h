// The user data header (3GPP TS 23.040 9.2.3.24) that both SMS paths carry: PDU-mode TPDUs from
// modems and SMPP short messages with the UDHI bit of esm_class. Pure byte work, shared by the
// TPDU codec and the SMPP session, so a concatenated message is read the same way on both.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace tocsin {

struct InformationElement {
  uint8_t id = 0;
  std::vector<uint8_t> data;
};

// Concatenated short messages: IEI 0x00 (8-bit reference) or 0x08 (16-bit reference).
struct Concatenation {
  uint16_t reference = 0;
  uint8_t total = 0;     // parts in the message
  uint8_t sequence = 0;  // this part, from 1
  bool reference16 = false;
};

// The elements of a header, given the header without its length octet (UDHL). An element that
// overruns the header is an error naming it.
Result<std::vector<InformationElement>> parseInformationElements(std::string_view header);

// The concatenation element among `elements`, if there is a well-formed one (a total of zero or
// a sequence outside 1..total is not one).
std::optional<Concatenation> findConcatenation(const std::vector<InformationElement>& elements);

// A user data that starts with its header (UDHI set): the elements and the number of octets the
// header takes, length octet included, so the text starts after them.
struct SplitUserData {
  std::vector<InformationElement> elements;
  size_t headerOctets = 0;
};
Result<SplitUserData> splitUserData(std::string_view userData);

}  // namespace tocsin

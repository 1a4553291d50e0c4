// Writes a classic pcap file of one TCP conversation on loopback, one segment per payload, so
// that tshark can dissect bytes Tocsin produced. No packet ever goes on the wire.
#pragma once

#include <string>
#include <vector>

namespace tocsin::testing {

struct TcpSegment {
  bool fromClient = true;  // client 127.0.0.1:40000 -> server 127.0.0.1:<serverPort>
  std::string payload;
};

void writeTcpPcap(const std::string& path, const std::vector<TcpSegment>& segments, int serverPort);

}  // namespace tocsin::testing

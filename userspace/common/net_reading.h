// Network readings as the probe hands them to the monitoring engine: one
// cumulative kernel aggregate per (process, remote), and one live TCP socket.
#pragma once

#include "hostscope/wire.h"

namespace hs {

// Cumulative since the kernel entry was created; slots are diffed modulo 2^32.
struct NetReading {
  hs_net_key key{};
  hs_net_val val{};
};

// One socket from the TCP iterator (see hs_conn_rec in wire.h).
using ConnectionReading = hs_conn_rec;

}  // namespace hs

#include "daemon/captures.h"

namespace hs::daemon {

Status Captures::start() {
  wanted_ = true;
  Status sys = syscalls_.start();
  Status net = network_.start();
  if (running()) return {};
  return !sys.ok() ? sys : net;
}

Status Captures::stop() {
  wanted_ = false;
  Status sys = syscalls_.stop();
  Status net = network_.stop();
  return !sys.ok() ? sys : net;
}

}  // namespace hs::daemon

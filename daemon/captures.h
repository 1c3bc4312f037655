// The capture control the API sees: starts and stops every probe together.
#pragma once

#include "daemon/l7_capture.h"
#include "daemon/net_capture.h"
#include "daemon/syscall_capture.h"
#include "web/routes/app_context.h"

namespace hs::daemon {

class Captures final : public web::CaptureControl {
 public:
  Captures(SyscallCapture& syscalls, NetCapture& network, L7Capture& l7)
      : syscalls_(syscalls), network_(network), l7_(l7) {}

  // Starts every enabled probe; fails only when none could start (the health of
  // each probe tells which one is missing).
  Status start() override;
  Status stop() override;
  bool running() const override { return syscalls_.running() || network_.running() || l7_.running(); }
  // Whether the user wants capture on (false after POST monitoring/stop).
  bool wanted() const { return wanted_; }

 private:
  SyscallCapture& syscalls_;
  NetCapture& network_;
  L7Capture& l7_;
  bool wanted_ = true;
};

}  // namespace hs::daemon

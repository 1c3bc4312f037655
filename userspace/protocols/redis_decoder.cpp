#include "protocols/redis_decoder.h"

#include <array>

#include "protocols/resp.h"
#include "protocols/text.h"

namespace hs::protocols {
namespace {

constexpr std::size_t kMaxName = 64;
constexpr std::size_t kMaxErrorText = 256;

// Commands whose first argument is a sub-command that names the operation.
constexpr std::array<std::string_view, 16> kContainers = {
    "ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DEBUG", "FUNCTION", "LATENCY",
    "MEMORY", "MODULE", "OBJECT", "PUBSUB", "SCRIPT", "SLOWLOG", "XGROUP", "XINFO"};

bool token_like(std::string_view s) {
  if (s.empty() || s.size() > kMaxName) return false;
  for (char c : s) {
    if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '-' && c != '.' && c != '|' && c != ':') return false;
  }
  return true;
}

bool is_container(std::string_view upper) {
  for (std::string_view c : kContainers) {
    if (c.size() == upper.size() && c[0] == upper[0] && upper == c) return true;
  }
  return false;
}

// Commands whose arguments may hold passwords: the text shows only "AUTH ?".
bool is_secret(std::string_view fingerprint) {
  return fingerprint == "AUTH" || fingerprint == "HELLO" || fingerprint == "MIGRATE" ||
         fingerprint.starts_with("ACL ") || fingerprint == "CONFIG SET";
}

// After these the connection answers with pushes, not one reply per command.
bool enters_pubsub(std::string_view name) {
  if (name.size() < 7 || name.size() > 12) return false;
  for (std::string_view p : {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
                             "MONITOR"}) {
    if (iequals(name, p)) return true;
  }
  return false;
}

// The name and sub-command of a command, as sent: enough to fold a run of them.
struct CommandHead {
  std::string_view name;
  std::string_view sub;  // the first argument of a container command ("CONFIG GET"), else empty
};

// Whether a command names its operation with its first argument ("CONFIG GET").
bool is_container_name(std::string_view name) {
  if (name.size() > kMaxName) return false;
  char upper[kMaxName];
  for (std::size_t i = 0; i < name.size(); ++i) upper[i] = ascii_upper(name[i]);
  return is_container(std::string_view(upper, name.size()));
}

void write_text(Operation& op, const RespCommand& cmd) {
  bool named_sub = op.fingerprint.size() > op.method.size();
  op.text = op.fingerprint;
  std::size_t shown = named_sub ? 2 : 1;
  if (is_secret(op.fingerprint)) {
    if (cmd.count > shown) op.text += " ?";
    return;
  }
  bool fits = true;
  for (std::size_t i = shown; i < cmd.kept && fits; ++i) {
    op.text += ' ';
    std::string arg;
    if (!append_clean(arg, cmd.args[i], kMaxRedisArgText, Controls::to_dot)) arg += "...";
    fits = append_clean(op.text, arg, kMaxRedisText, Controls::to_dot);
  }
  if (fits && cmd.count > cmd.kept) op.text += " ...";
  if (!fits || op.text.size() > kMaxRedisText) truncate_with_ellipsis(op.text, kMaxRedisText);
}

// A command as read from the request and paired with its reply: views into the
// exchange, so a pipeline of thousands costs no allocation.
struct Command {
  // What decides whether two commands fold, besides their names: one byte, so
  // comparing it is one load (separate flags made the compiler pack them into a
  // word it then read back before the stores had landed).
  enum Outcome : std::uint8_t { kOk = 0, kError = 1, kCut = 2 };
  CommandHead head;
  bool container = false;  // the name is one of kContainers
  std::uint8_t outcome = kOk;
  std::string_view error_text;  // set only with kError

  bool error() const { return (outcome & kError) != 0; }
  bool cut() const { return (outcome & kCut) != 0; }
};

// Command names are a few bytes: a plain loop beats a library call.
inline bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  }
  return true;
}

// Whether b, whose name is the same as a's, ends the same way (sub-command, reply).
inline bool same_outcome(const Command& a, const Command& b) {
  return a.outcome == b.outcome && same_name(a.head.sub, b.head.sub) && (!a.error() || a.error_text == b.error_text);
}

// The next reply that answers a command (RESP3 pushes and client-tracking
// messages are out of band); false when none is complete in the data.
RespStatus next_reply(std::string_view data, std::size_t& pos, RespReply& reply) {
  // Bounded by the data: every reply consumes at least 3 bytes.
  for (;;) {
    if (RespStatus s = resp_read_reply(data, pos, reply); s != RespStatus::ok) return s;
    if (!reply.push) return RespStatus::ok;
  }
}

// The fingerprint is the upper-cased name, and for a container its sub-command
// ("CONFIG GET"); a name that is no token is "?". Built in place at the end of out.
void add_operation(std::vector<Operation>& out, const Command& c, const RespCommand& cmd, bool keep_text) {
  Operation& op = out.emplace_back();
  op.protocol = Protocol::redis;
  if (token_like(c.head.name)) {
    assign_upper(op.method, c.head.name);
  } else {
    op.method.push_back('?');  // empty: just built
  }
  op.fingerprint = op.method;
  if (!c.head.sub.empty() && token_like(c.head.sub)) {
    op.fingerprint += ' ';
    append_upper(op.fingerprint, c.head.sub);
  }
  op.truncated = c.cut();
  op.error = c.error();
  if (op.error) append_clean(op.error_text, c.error_text, kMaxErrorText, Controls::to_space);
  if (keep_text) write_text(op, cmd);
}

// One pass over the request: each command is read, paired in order with its
// reply, and folded into the run of identical commands with the same outcome
// before it (a pipeline of 16 SETs is one operation with a count). Only the
// first command of a run is named, and gets its text.
class RedisDecoder final : public ConnectionDecoder {
 public:
  void decode(const Exchange& ex, std::vector<Operation>& out) override {
    try {
      read_exchange(ex, out);
    } catch (...) {
      // Only allocation can throw here; dropping one exchange is the right answer.
    }
  }
  bool stateless_for(const Exchange&) const override { return true; }

 private:
  static void read_exchange(const Exchange& ex, std::vector<Operation>& out) {
    const std::string_view data = ex.request;
    std::size_t pos = 0, reply_pos = 0, seen = 0;
    bool pairing = true;  // replies are paired until one is missing or pub/sub starts
    bool cut_off = false;  // the replies went on past the response's prefix
    bool in_run = false;
    Command run, c;  // the current run's first command; the command just read
    // Not built per call: its arguments (16 views) would be zeroed each time, and
    // resp_read_command sets what it reads.
    static thread_local RespCommand cmd;
    RespReply reply;
    // Each turn consumes at least one byte or ends the loop.
    while (pos < data.size() && seen < kMaxRedisOps) {
      RespStatus s = resp_read_command(data, pos, cmd);
      if (s == RespStatus::malformed) break;
      if (cmd.kept > 0) {
        ++seen;
        c.head.name = cmd.args[0];
        const bool same = in_run && same_name(run.head.name, c.head.name);
        // A pipeline repeats its command: the run's answer holds.
        c.container = same ? run.container : is_container_name(c.head.name);
        c.head.sub = c.container && cmd.kept > 1 ? cmd.args[1] : std::string_view();
        c.outcome = cmd.cut ? Command::kCut : Command::kOk;
        bool unseen = false;  // its reply lies past the response's prefix
        if (pairing) {
          const RespStatus rs = next_reply(ex.response, reply_pos, reply);
          pairing = rs == RespStatus::ok;
          unseen = cut_off = rs == RespStatus::incomplete;  // not after a malformed reply: no telling
          if (pairing && reply.error) {
            c.outcome |= Command::kError;
            c.error_text = reply.message;
          }
          // After these the connection answers with pushes, not one reply per command.
          if (enters_pubsub(c.head.name)) pairing = false;
        } else {
          unseen = cut_off;
          if (enters_pubsub(c.head.name)) cut_off = false;  // what follows it is pushes
        }
        if (same && same_outcome(run, c)) {
          ++out.back().count;
        } else {
          add_operation(out, c, cmd, ex.keep_text);
          run = c;
          in_run = true;
        }
        out.back().replies_unseen += unseen ? 1 : 0;
      }
      if (s == RespStatus::incomplete) break;
    }
  }
};

}  // namespace

std::unique_ptr<ConnectionDecoder> make_redis_decoder() { return std::make_unique<RedisDecoder>(); }

}  // namespace hs::protocols

#include "web/server/event_hub.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace hs::web {
namespace {

Frame frame(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

TEST(WebEventHubFormat, EventAndDataLines) {
  EXPECT_EQ(EventHub::format("alert", R"({"id":"a1"})"), "event: alert\ndata: {\"id\":\"a1\"}\n\n");
  EXPECT_EQ(EventHub::format("", "x"), "data: x\n\n");
  EXPECT_EQ(EventHub::format("m", ""), "event: m\ndata: \n\n");
  EXPECT_EQ(EventHub::format("m", "{\n  \"a\": 1\r\n}"), "event: m\ndata: {\ndata:   \"a\": 1\ndata: }\n\n");
  EXPECT_EQ(EventHub::format("ev\r\nil", "x"), "event: evil\ndata: x\n\n");
}

TEST(WebFrameQueue, DropsOldestWhenFull) {
  FrameQueue q(3);
  EXPECT_FALSE(q.push(frame("a"), false));
  EXPECT_FALSE(q.push(frame("b"), false));
  EXPECT_FALSE(q.push(frame("c"), false));
  EXPECT_TRUE(q.push(frame("d"), false));
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.dropped(), 1u);
  EXPECT_EQ(*q.front(), "b");
}

TEST(WebFrameQueue, NeverDropsTheFrameBeingWritten) {
  FrameQueue q(3);
  q.push(frame("a"), false);
  q.push(frame("b"), true);
  q.push(frame("c"), true);
  EXPECT_TRUE(q.push(frame("d"), true));  // "a" is on the wire: "b" goes
  std::vector<std::string> order;
  while (!q.empty()) {
    order.push_back(*q.front());
    q.pop();
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_EQ(q.dropped(), 1u);
}

class RecordingSink : public EventSink {
 public:
  void deliver(Frame f) override { got.push_back(std::move(f)); }
  std::vector<Frame> got;
};

TEST(WebEventHub, SharesOneBufferAndForgetsRemovedOrDeadSinks) {
  EventHub hub;
  auto a = std::make_shared<RecordingSink>();
  auto b = std::make_shared<RecordingSink>();
  hub.add(a);
  hub.add(b);
  EXPECT_EQ(hub.clients(), 2u);
  hub.publish("tick", "1");
  ASSERT_EQ(a->got.size(), 1u);
  ASSERT_EQ(b->got.size(), 1u);
  EXPECT_EQ(a->got[0].get(), b->got[0].get());  // the same immutable buffer
  EXPECT_EQ(*a->got[0], "event: tick\ndata: 1\n\n");

  hub.remove(a.get());
  EXPECT_EQ(hub.clients(), 1u);
  b.reset();
  EXPECT_EQ(hub.clients(), 0u);
  hub.publish("tick", "2");
  EXPECT_EQ(a->got.size(), 1u);
  EXPECT_EQ(hub.published(), 2u);
  hub.count_dropped(3);
  EXPECT_EQ(hub.dropped(), 3u);
}

}  // namespace
}  // namespace hs::web

// ensure_tracefs mounts tracefs where none is, and leaves an existing mount alone.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "probes/tracefs.h"

namespace hs::probes {
namespace {

bool has_events(const std::string& dir) {
  struct stat st {};
  return ::stat((dir + "/events").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

TEST(Tracefs, MountsWhereMissingAndIsIdempotent) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  char tmpl[] = "/tmp/hs-tracefs-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  ASSERT_FALSE(has_events(dir));

  auto first = ensure_tracefs(dir);
  ASSERT_TRUE(first.ok()) << first.status().text();
  EXPECT_TRUE(first.value());
  EXPECT_TRUE(has_events(dir));

  auto second = ensure_tracefs(dir);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second.value());  // already mounted: nothing to do

  ASSERT_EQ(umount2(dir.c_str(), MNT_DETACH), 0);
  rmdir(dir.c_str());
}

TEST(Tracefs, NotADirectoryIsAnError) {
  auto r = ensure_tracefs("/nonexistent/hs-tracefs");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where(), "tracefs/mount");
}

}  // namespace
}  // namespace hs::probes

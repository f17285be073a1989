#include "sync/plan.hpp"

#include <gtest/gtest.h>

namespace chanmirror::sync {
namespace {

const std::string sha_a(64, 'a');
const std::string sha_b(64, 'b');

WantedFile wanted(const std::string& name, std::uint64_t size, const std::string& sha,
                  const std::string& md5 = "") {
    return {name, {size, sha, md5}};
}

TEST(PlanSubdir, KeepsVerifiedFilesDownloadsMissingAndChanged) {
    std::vector<WantedFile> want = {wanted("a-1-0.conda", 10, sha_a),
                                    wanted("b-1-0.conda", 20, sha_b),
                                    wanted("c-1-0.conda", 30, sha_a)};
    std::map<std::string, LocalFile> local = {{"a-1-0.conda", {10, sha_a, ""}},
                                              {"b-1-0.conda", {20, sha_a, ""}}};  // b: other bytes
    auto plan = plan_subdir(want, local, {});
    EXPECT_EQ(plan.keep, (std::vector<std::string>{"a-1-0.conda"}));
    ASSERT_EQ(plan.download.size(), 2u);
    EXPECT_EQ(plan.download[0]->filename, "b-1-0.conda");
    EXPECT_EQ(plan.download[1]->filename, "c-1-0.conda");
    EXPECT_EQ(plan.download_bytes, 50u);
    EXPECT_TRUE(plan.remove.empty());
    EXPECT_FALSE(plan.refusal);
}

TEST(PlanSubdir, Md5IsUsedOnlyWithoutSha256) {
    LocalFile local{5, "", "0123456789abcdef0123456789abcdef"};
    EXPECT_TRUE(matches(local, {5, "", "0123456789abcdef0123456789abcdef"}));
    EXPECT_FALSE(matches(local, {5, sha_a, "0123456789abcdef0123456789abcdef"}));
    EXPECT_FALSE(matches(local, {6, "", "0123456789abcdef0123456789abcdef"}));
}

TEST(PlanSubdir, DeletionCapRefusesUnlessForced) {
    std::map<std::string, LocalFile> local;
    for (int i = 0; i < 10; ++i)
        local["p-" + std::to_string(i) + "-0.conda"] = {1, sha_a, ""};
    std::vector<WantedFile> want;
    for (int i = 0; i < 8; ++i)
        want.push_back(wanted("p-" + std::to_string(i) + "-0.conda", 1, sha_a));

    auto plan = plan_subdir(want, local, {0.10, false});  // 2 of 10 > 10%
    ASSERT_TRUE(plan.refusal);
    EXPECT_NE(plan.refusal->find("would delete 2 of 10"), std::string::npos) << *plan.refusal;
    EXPECT_NE(plan.refusal->find("--force"), std::string::npos);

    EXPECT_FALSE(plan_subdir(want, local, {0.20, false}).refusal);  // 2 of 10 = 20%: allowed
    auto forced = plan_subdir(want, local, {0.10, true});
    EXPECT_FALSE(forced.refusal);
    EXPECT_EQ(forced.remove, (std::vector<std::string>{"p-8-0.conda", "p-9-0.conda"}));
    EXPECT_EQ(forced.remove_bytes, 2u);
}

TEST(PlanSubdir, EmptyUpstreamCannotWipeTheMirror) {
    std::map<std::string, LocalFile> local = {{"a-1-0.conda", {1, sha_a, ""}}};
    EXPECT_TRUE(plan_subdir({}, local, {}).refusal);
}

}  // namespace
}  // namespace chanmirror::sync

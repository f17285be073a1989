#pragma once
// An index over one RepoData for selection (issue 5): the fields a MatchSpec tests, read once
// per record with simdjson On-Demand, and records grouped by name.
//
// Strings are views into the RepoData's record text (they stay valid while the RepoData lives
// and is not modified); only strings with JSON escapes are copied into the index. A record
// without a readable name or version is left out of the name groups and reported in
// problems(): selection can never pick it.

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/match_spec.hpp"
#include "core/repodata.hpp"
#include "core/version.hpp"

namespace chanmirror::core {

struct RecordView {
    std::string_view filename;  // key in packages / packages.conda
    std::string_view name;
    Version version;
    std::string_view build;
    std::int64_t build_number = 0;
    std::string_view subdir;  // the record's own field; the repodata's subdir when absent
    std::string_view md5, sha256, license, license_family, track_features, features;
    std::uint32_t depends_begin = 0;  // into RecordIndex's depends list
    std::uint32_t depends_count = 0;
    bool valid = false;  // name and version read
};

class RecordIndex {
  public:
    // `repodata` must outlive the index unchanged. `channel` is what `channel::name` specs
    // compare with (a name such as "conda-forge", or a URL); `subdir` fills in records
    // without a `subdir` field.
    static auto build(const RepoData& repodata, std::string channel, std::string subdir)
        -> RecordIndex;

    [[nodiscard]] auto size() const -> std::size_t { return records_.size(); }
    [[nodiscard]] auto record(std::uint32_t id) const -> const RecordView& { return records_[id]; }
    [[nodiscard]] auto records() const -> std::span<const RecordView> { return records_; }
    [[nodiscard]] auto depends(std::uint32_t id) const -> std::span<const std::string_view>;
    // Valid records of that exact name (ids, in file name order).
    [[nodiscard]] auto named(std::string_view name) const -> std::span<const std::uint32_t>;
    [[nodiscard]] auto names() const
        -> const std::unordered_map<std::string_view, std::vector<std::uint32_t>>& {
        return by_name_;
    }
    // The fields MatchSpec::matches() tests; views into this index and its RepoData.
    [[nodiscard]] auto fields(std::uint32_t id) const -> RecordFields;

    [[nodiscard]] auto channel() const -> const std::string& { return channel_; }
    [[nodiscard]] auto subdir() const -> const std::string& { return subdir_; }
    // "<filename>: <why>" for every record that could not be read.
    [[nodiscard]] auto problems() const -> const std::vector<std::string>& { return problems_; }

  private:
    class Reader;
    friend class Reader;

    std::string channel_;
    std::string subdir_;
    std::vector<RecordView> records_;
    std::vector<std::string_view> depends_;
    std::unordered_map<std::string_view, std::vector<std::uint32_t>> by_name_;
    std::deque<std::string> unescaped_;  // strings that differ from their JSON text
    std::vector<std::string> problems_;
};

// Each distinct dependency text parsed into a MatchSpec once. Texts must outlive the cache
// (depends views of a RecordIndex do).
class SpecCache {
  public:
    struct Entry {
        std::string_view text;
        Result<MatchSpec> spec;
        bool is_virtual = false;  // name begins with "__": provided by the system
    };
    using Id = std::uint32_t;

    auto intern(std::string_view text) -> Id;
    [[nodiscard]] auto entry(Id id) const -> const Entry& { return entries_[id]; }
    [[nodiscard]] auto size() const -> std::size_t { return entries_.size(); }

  private:
    std::deque<Entry> entries_;
    std::unordered_map<std::string_view, Id> ids_;
};

}  // namespace chanmirror::core

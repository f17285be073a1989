#pragma once
// An index over one RepoData for selection (issue 5): records grouped by name, and the fields
// a MatchSpec tests, read with simdjson On-Demand (one pass per record) when a name group is
// first looked up. A closure touches a few hundred of conda-forge's ~30,000 names, so most
// records are never parsed.
//
// Groups are keyed by the name in the file name ({name}-{version}-{build}.ext, CEP 26); file
// names that do not have that shape are read at build time and grouped by their record's
// name. Strings are views into the RepoData's record text (valid while the RepoData lives
// and is not modified); only strings with JSON escapes are copied into the index. A record
// without a readable name or version, or whose name differs from its file name, is left out
// of its group and reported in problems(): selection never picks it.

#include <cstdint>
#include <deque>
#include <memory>
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
    RecordIndex();
    RecordIndex(RecordIndex&&) noexcept;
    RecordIndex& operator=(RecordIndex&&) noexcept;
    ~RecordIndex();

    [[nodiscard]] auto size() const -> std::size_t { return entries_.size(); }
    [[nodiscard]] auto filename(std::uint32_t id) const -> std::string_view {
        return entries_[id].filename;
    }
    // The record once loaded (through named() for its group, or load_all()); before that an
    // empty, invalid view.
    [[nodiscard]] auto record(std::uint32_t id) const -> const RecordView& {
        return entries_[id].view == not_loaded ? unloaded_ : views_[entries_[id].view];
    }
    // Valid until the next record is read (named(), load_all()).
    [[nodiscard]] auto depends(std::uint32_t id) const -> std::span<const std::string_view>;
    // Valid records of that exact name (ids, in file name order); reads them on first use.
    auto named(std::string_view name) -> std::span<const std::uint32_t>;
    // Reads every record (for glob-named specs and whole-subdir selection).
    void load_all();
    // The names of the groups, unsorted (no record is read).
    [[nodiscard]] auto names() const -> std::vector<std::string_view>;
    // The fields MatchSpec::matches() tests; views into this index and its RepoData.
    [[nodiscard]] auto fields(std::uint32_t id) const -> RecordFields;

    [[nodiscard]] auto channel() const -> const std::string& { return channel_; }
    [[nodiscard]] auto subdir() const -> const std::string& { return subdir_; }
    // "<filename>: <why>" for every loaded record that could not be read.
    [[nodiscard]] auto problems() const -> const std::vector<std::string>& { return problems_; }

  private:
    class Reader;
    friend class Reader;

    struct Group {
        std::vector<std::uint32_t> ids;
        bool loaded = false;
    };
    void load(Group& group, std::string_view name);
    void load_record(std::uint32_t id, std::string_view file_name);

    std::unique_ptr<Reader> reader_;
    std::string channel_;
    std::string subdir_;
    // Records are read on demand, so the eager part stays small (~32 bytes a record).
    struct Entry {
        std::string_view filename;
        const std::string* text = nullptr;  // the record JSON in the RepoData
        std::uint32_t view = not_loaded;    // into views_
    };
    static constexpr std::uint32_t not_loaded = UINT32_MAX;
    static const RecordView unloaded_;
    std::vector<Entry> entries_;
    std::deque<RecordView> views_;  // stable addresses while more records load
    std::vector<std::string_view> depends_;
    std::unordered_map<std::string_view, Group> by_name_;
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

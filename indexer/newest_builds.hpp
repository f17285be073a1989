#pragma once
// Which build of a version is its newest, learned while a subdir's changed files are read, so
// that a .tar.bz2 can tell in the middle of its first read whether channeldata.json will use
// its recipe (it reports the newest build's, by timestamp). Builds are grouped by file name
// ("<name>-<version>-"); a group is tracked only when one of its files is being read. The
// answer stays a cautious no until every other build of the version is known.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace chanmirror::indexer {

class NewestBuilds {
  public:
    // Before any read: a package file of a tracked group. `timestamp` is that of its cached
    // record (0 when the record has none), nullopt when it is yet to be read.
    void add(const std::string& file, std::optional<double> timestamp);

    // The group of `file`, as add() needs it: "<name>-<version>-" (empty for odd names).
    static std::string group_of(std::string_view file);

    // Whether add() was given `file`. Thread-safe once the adding is over.
    [[nodiscard]] bool tracks(const std::string& file) const;

    // Thread-safe from here on. A file just read: its record's timestamp, or nullopt when it
    // turned out not to be a package.
    void settle(const std::string& file, std::optional<double> timestamp);

    // Settles `file` and tells whether it is the one channeldata.json will take: every other
    // build of its version is known and older, and there is no .conda of the same build.
    bool settle_as_newest(const std::string& file, double timestamp);

  private:
    enum class State { pending, read, not_a_package };
    struct Build {
        State state = State::pending;
        double timestamp = 0;
    };
    // group -> file -> build
    std::map<std::string, std::map<std::string, Build>, std::less<>> groups_;
    std::mutex mutex_;

    Build* find(const std::string& file);
    [[nodiscard]] const Build* find(const std::string& file) const;
};

}  // namespace chanmirror::indexer

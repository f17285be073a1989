#pragma once
// channeldata.json, the channel-wide summary built from every subdir's patched repodata,
// extras and run_exports. It reports the recipe of the newest build of each (name, version);
// a .tar.bz2 whose recipe lies beyond its payload was not read that far in the first pass,
// so those few are read in full on background threads while the subdirs publish (the reads
// touch only package files, and publishing mostly waits on the disk).

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/repodata.hpp"
#include "indexer/index_channel.hpp"
#include "indexer/subdir_index.hpp"

namespace chanmirror::indexer {

class ChanneldataWriter {
  public:
    // Starts the deferred recipe reads. Call after load_details() of every subdir;
    // patched[i] is subdirs[i]'s patched repodata, and both must outlive the writer.
    ChanneldataWriter(std::vector<SubdirIndex>& subdirs, std::vector<const core::RepoData*> patched,
                      unsigned threads);

    ChanneldataWriter(const ChanneldataWriter&) = delete;  // the reader thread holds `this`
    ChanneldataWriter& operator=(const ChanneldataWriter&) = delete;

    // Waits for the reads, adds what they found to the subdirs' extras and caches, and
    // writes <channel>/channeldata.json if its bytes changed.
    core::Result<void> write(const std::filesystem::path& channel, IndexReport& report);

  private:
    struct Job {
        SubdirIndex* subdir;
        std::filesystem::path path;
        std::string file;
        core::Result<core::Json> source = core::Json::object();
    };

    core::Result<void> complete_recipes(IndexReport& report);

    std::vector<SubdirIndex>& subdirs_;
    std::vector<const core::RepoData*> patched_;
    std::vector<Job> jobs_;
    std::jthread reader_;  // declared last: joined (on an early return too) before jobs_ goes
};

}  // namespace chanmirror::indexer

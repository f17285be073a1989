#include "indexer/newest_builds.hpp"

#include <utility>

#include "core/repodata.hpp"

namespace chanmirror::indexer {

std::string NewestBuilds::group_of(std::string_view file) {
    auto parts = core::split_package_filename(file);
    if (!parts || parts->name.empty())
        return {};
    return std::string(parts->name) + "-" + std::string(parts->version) + "-";
}

void NewestBuilds::add(const std::string& file, std::optional<double> timestamp) {
    auto group = group_of(file);
    if (group.empty())
        return;
    Build build;
    if (timestamp) {
        build.state = State::read;
        build.timestamp = *timestamp;
    }
    groups_[group][file] = build;
}

const NewestBuilds::Build* NewestBuilds::find(const std::string& file) const {
    auto group = groups_.find(group_of(file));
    if (group == groups_.end())
        return nullptr;
    auto build = group->second.find(file);
    return build == group->second.end() ? nullptr : &build->second;
}

NewestBuilds::Build* NewestBuilds::find(const std::string& file) {
    return const_cast<Build*>(std::as_const(*this).find(file));
}

bool NewestBuilds::tracks(const std::string& file) const {
    // Only the builds' states change once reading starts, never the maps' shape.
    return find(file) != nullptr;
}

void NewestBuilds::settle(const std::string& file, std::optional<double> timestamp) {
    std::lock_guard lock(mutex_);
    Build* build = find(file);
    if (build == nullptr)
        return;
    build->state = timestamp ? State::read : State::not_a_package;
    build->timestamp = timestamp.value_or(0);
}

bool NewestBuilds::settle_as_newest(const std::string& file, double timestamp) {
    std::lock_guard lock(mutex_);
    Build* self = find(file);
    if (self == nullptr)
        return false;
    self->state = State::read;
    self->timestamp = timestamp;
    const auto& builds = groups_.find(group_of(file))->second;
    const std::string twin = std::string(core::package_stem(file)) + ".conda";
    for (const auto& [name, build] : builds) {
        if (name == file || build.state == State::not_a_package)
            continue;
        // A tie goes to whichever build channeldata.json meets first: not surely this one.
        if (name == twin || build.state == State::pending || build.timestamp >= timestamp)
            return false;
    }
    return true;
}

}  // namespace chanmirror::indexer

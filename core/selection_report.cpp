// SelectionResult: the --dry-run listing, the summary line and the --verbose details.
#include <algorithm>

#include "core/selection.hpp"

namespace chanmirror::core {

namespace {

std::string path_of(const SubdirKey& location, const std::string& filename) {
    return location.first + "/" + location.second + "/" + filename;
}

std::string count(std::size_t n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

auto SelectionResult::listing() const -> std::vector<std::string> {
    std::vector<std::string> lines;
    for (const auto& [location, names] : files) {
        for (const std::string& name : names) {
            lines.push_back(path_of(location, name));
        }
    }
    std::sort(lines.begin(), lines.end());
    return lines;
}

auto SelectionResult::summary() const -> std::string {
    std::size_t total = 0;
    for (const auto& entry : files) {
        total += entry.second.size();
    }
    std::string out = count(total, "file", "files") + " selected (" +
                      count(seeds, "seed", "seeds") + ", " + std::to_string(closure_added) +
                      " added by dependencies); " + count(dropped.size(), "record", "records") +
                      " dropped; " + count(missing.size(), "dependency", "dependencies") +
                      " without candidates";
    if (!unmatched_includes.empty()) {
        out += "; " + count(unmatched_includes.size(), "spec", "specs") + " matched nothing";
    }
    if (!invalid_depends.empty()) {
        out += "; " + count(invalid_depends.size(), "invalid dependency", "invalid dependencies");
    }
    if (!unreadable.empty()) {
        out += "; " + count(unreadable.size(), "unreadable record", "unreadable records");
    }
    return out;
}

auto SelectionResult::details() const -> std::vector<std::string> {
    std::vector<std::string> lines;
    for (const std::string& spec : unmatched_includes) {
        lines.push_back("spec '" + spec + "' matched no record");
    }
    for (const MissingDependency& m : missing) {
        lines.push_back("no candidates for '" + m.dependency + "' in " + m.platform +
                        " (needed by " + path_of(m.needed_by_location, m.needed_by) +
                        (m.dependents > 1 ? " and " + std::to_string(m.dependents - 1) + " more"
                                          : std::string()) +
                        ")");
    }
    for (const DroppedRecord& d : dropped) {
        lines.push_back("dropped " + path_of(d.location, d.filename) + ": nothing selected for '" +
                        d.dependency + "'");
    }
    for (const std::string& invalid : invalid_depends) {
        lines.push_back("not followed: " + invalid);
    }
    for (const std::string& problem : unreadable) {
        lines.push_back("unreadable record " + problem);
    }
    return lines;
}

}  // namespace chanmirror::core

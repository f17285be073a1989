// placeholder until the indexer grows real sources
namespace chanmirror::indexer {}

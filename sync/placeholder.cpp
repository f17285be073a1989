// placeholder so the sync target has a translation unit until it grows real sources
namespace chanmirror::sync {}

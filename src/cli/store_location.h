// The control table a command works on: --store NAME (default main.dls.control_table) resolved in
// the warehouse (DESIGN §4; an unsafe name is an InvalidMetadataError, exit code 3).
#pragma once

#include <string>

#include "context.h"
#include "dls/store/delta_live_store.h"

namespace dls::cli {

/// The store named by --store. `location` receives where it is.
inline DeltaLiveStore open_store(Context& ctx, catalog::TableLocation& location) {
  location = ctx.warehouse().resolve(ctx.options().store);
  ctx.debug("control table " + location.display() + " at " + location.root.string());
  return DeltaLiveStore(location.root.string());
}

/// Like open_store, and fails with a hint when the control table does not exist yet.
inline DeltaLiveStore open_initialized_store(Context& ctx) {
  catalog::TableLocation location;
  DeltaLiveStore store = open_store(ctx, location);
  if (!store.is_initialized()) {
    throw NotFoundError("the control table " + location.display() + " does not exist (at " +
                        location.root.string() + "; warehouse " + ctx.warehouse().root().string() +
                        "): create it with 'dls store init', or choose another with --store NAME "
                        "or --warehouse DIR");
  }
  return store;
}

}  // namespace dls::cli

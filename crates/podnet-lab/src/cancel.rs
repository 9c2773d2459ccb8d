//! Ctrl-C: the first one asks the running `up` or `probe` to stop at the
//! next step and remove the lab; nothing is torn down from the signal
//! handler itself, so teardown never races the build.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::{LabError, Result};

static REQUESTED: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

/// Installs the Ctrl-C handler (once per process).
pub fn install() {
    INSTALL.call_once(|| {
        let _ = ctrlc::set_handler(|| REQUESTED.store(true, Ordering::SeqCst));
    });
}

/// Whether Ctrl-C was pressed.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// [`LabError::Interrupted`] once Ctrl-C was pressed.
pub fn check() -> Result<()> {
    if requested() {
        Err(LabError::Interrupted)
    } else {
        Ok(())
    }
}

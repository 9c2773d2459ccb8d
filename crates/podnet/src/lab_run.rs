//! The lab's lifecycle around [`Analysis::lab_plan`](crate::Analysis::lab_plan):
//! a fresh run id when nothing is left over, building a plan (removing what
//! was built when that fails), and finding the lab to probe. Building needs
//! root (`podnet_lab::preflight::check`).

use std::path::Path;

use podnet_lab::{LabError, LabPlan};

/// Why a lab cannot be started or found.
#[derive(Debug, thiserror::Error)]
pub enum LabRunError {
    /// The lab itself failed.
    #[error(transparent)]
    Lab(#[from] LabError),
    /// Runs left over (a state file or namespaces): remove them first.
    #[error("runs left over: {}", .0.join(", "))]
    Leftovers(Vec<String>),
    /// No lab is set up.
    #[error("no lab is set up")]
    NoLab,
    /// Several labs are set up and none was named.
    #[error("several labs are set up: {}", .0.join(", "))]
    Several(Vec<String>),
}

/// A fresh run id, when no run is left over.
pub fn new_run_id() -> Result<String, LabRunError> {
    let leftovers = podnet_lab::state::leftover_ids()?;
    if !leftovers.is_empty() {
        return Err(LabRunError::Leftovers(leftovers));
    }
    Ok(podnet_lab::state::new_id(&leftovers))
}

/// Builds `plan` in network namespaces, the pods' agents being `agent`
/// (the podnet binary); on failure (or Ctrl-C) removes what was built.
pub fn build(plan: &LabPlan, agent: &Path) -> Result<(), LabError> {
    podnet_lab::apply::apply(plan, agent).inspect_err(|_| {
        let _ = podnet_lab::teardown::teardown(Some(&plan.id));
    })
}

/// The lab of run `id`, or the only one set up.
pub fn find(id: Option<&str>) -> Result<LabPlan, LabRunError> {
    match id {
        Some(id) => Ok(podnet_lab::state::load(id)?),
        None => {
            let ids = podnet_lab::state::ids();
            match ids.as_slice() {
                [only] => Ok(podnet_lab::state::load(only)?),
                [] => Err(LabRunError::NoLab),
                _ => Err(LabRunError::Several(ids)),
            }
        }
    }
}

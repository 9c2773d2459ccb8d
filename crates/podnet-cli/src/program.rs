//! The name the program was started as: the usage lines of the kubectl
//! plugin say `kubectl podnet`, as the user typed it.

use std::ffi::OsStr;
use std::path::Path;

/// The file name kubectl looks for on `PATH` to run `kubectl podnet`: a
/// plugin is an executable named `kubectl-` and the command
/// (<https://kubernetes.io/docs/tasks/extend-kubectl/kubectl-plugins/>,
/// "Writing kubectl plugins").
pub const KUBECTL_PLUGIN: &str = "kubectl-podnet";

/// The name help and usage show for a program started as `argv0`: `kubectl
/// podnet` for the plugin executable (or a link of that name), otherwise
/// `None`: clap's default, the executable's file name.
pub fn usage_name(argv0: &OsStr) -> Option<&'static str> {
    let stem = Path::new(argv0).file_stem()?;
    (stem == KUBECTL_PLUGIN).then_some("kubectl podnet")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_kubectl_plugin_executable_is_renamed() {
        let cases: &[(&str, Option<&str>)] = &[
            ("podnet", None),
            ("/usr/local/bin/podnet", None),
            ("kubectl-podnet", Some("kubectl podnet")),
            // kubectl runs a plugin by its full path on PATH.
            ("/home/u/.cargo/bin/kubectl-podnet", Some("kubectl podnet")),
            ("kubectl-podnet.exe", Some("kubectl podnet")),
            ("kubectl-podnet-extra", None),
            ("kubectl", None),
            ("", None),
        ];
        for (argv0, expected) in cases {
            assert_eq!(usage_name(OsStr::new(argv0)), *expected, "{argv0:?}");
        }
    }
}

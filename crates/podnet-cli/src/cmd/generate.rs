//! `podnet generate`: a deterministic synthetic cluster on disk.

use podnet::generate::{Params, generate};

use crate::args::{GenerateArgs, GenerateOutput};
use crate::session::{Session, Status};

/// Runs the command.
pub fn run(session: &Session, args: &GenerateArgs) -> Status {
    let generated = generate(Params {
        pods: args.pods,
        workloads: args.workloads,
        policies: args.policies,
        seed: args.seed,
        live: args.live,
        admin_policies: args.admin_policies,
    });
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        return session.error(&format!("cannot create `{}`: {e}", args.out.display()));
    }
    for f in &generated.files {
        let path = args.out.join(&f.name);
        if let Err(e) = std::fs::write(&path, &f.text) {
            return session.error(&format!("cannot write `{}`: {e}", path.display()));
        }
    }
    session.write_stdout(|out| match args.output {
        GenerateOutput::Txt => writeln!(
            out,
            "wrote {} files to {}: {} namespaces, {} workloads, {} pods, {} NetworkPolicies",
            generated.files.len(),
            args.out.display(),
            generated.namespaces,
            generated.workloads,
            generated.pods,
            generated.policies
        ),
        GenerateOutput::Json => writeln!(
            out,
            "{{\"schema\": \"podnet.generate/v1\", \"files\": {}, \"namespaces\": {}, \"workloads\": {}, \"pods\": {}, \"policies\": {}}}",
            generated.files.len(),
            generated.namespaces,
            generated.workloads,
            generated.pods,
            generated.policies
        ),
    })
}

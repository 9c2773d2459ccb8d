//! The fast path's side of the cluster-scoped tiers: one direction between
//! an identity and a peer (identity or address atom), walking the compiled
//! Admin-tier and Baseline-tier rules as [`crate::tiers`] specifies.

use podnet_model::{AdminAction, Conns, Direction};

use crate::compiled_admin::TierLists;
use crate::identity::IdentityId;
use crate::matrix::Engine;

/// The other end of a direction.
#[derive(Clone, Copy, Debug)]
pub enum PeerAt {
    /// A pod identity.
    Identity(IdentityId),
    /// An address atom outside the pods.
    Atom(usize),
}

impl Engine<'_> {
    /// What `subject`'s `dir` allows with `peer` once the tiers are applied,
    /// given NetworkPolicy's verdict (`np` is everything when no
    /// NetworkPolicy isolates the subject). `destination` resolves ports:
    /// the identity at the flow's destination, or `None` off the cluster.
    pub(crate) fn tiered(
        &self,
        dir: Direction,
        subject: IdentityId,
        peer: PeerAt,
        destination: Option<IdentityId>,
        np_isolated: bool,
        np: Conns,
    ) -> Conns {
        let lists = self.compiled.admin.direction(dir);
        if !lists.applies(subject) {
            return np;
        }
        let mut allowed = Conns::none();
        let mut np_scope = Conns::none();
        let left = self.walk(
            &lists.admin[subject],
            peer,
            destination,
            Conns::all(),
            |action, m| match action {
                AdminAction::Allow => allowed.add(m),
                AdminAction::Pass => np_scope.add(m),
                AdminAction::Deny => {}
            },
        );
        np_scope.add(&left);
        if np_isolated {
            allowed.add(&np_scope.intersection(&np));
            return allowed;
        }
        let left = self.walk(
            &lists.baseline[subject],
            peer,
            destination,
            np_scope,
            |action, m| {
                if matches!(action, AdminAction::Allow | AdminAction::Pass) {
                    allowed.add(m);
                }
            },
        );
        allowed.add(&left);
        allowed
    }

    /// First-match walk of `rules` over `scope`; `decide` gets each
    /// matching rule's action and the part it decided. Returns what is left.
    fn walk(
        &self,
        rules: &[usize],
        peer: PeerAt,
        destination: Option<IdentityId>,
        mut scope: Conns,
        mut decide: impl FnMut(AdminAction, &Conns),
    ) -> Conns {
        for &r in rules {
            if scope.is_empty() {
                break;
            }
            let rule = &self.compiled.admin.rules[r];
            let hit = match peer {
                PeerAt::Identity(i) => rule.peers.identities.contains(i),
                PeerAt::Atom(a) => rule.peers.atoms.contains(a),
            };
            if !hit {
                continue;
            }
            let conns = match destination {
                Some(d) => rule.ports.on_pod(self.dst_ports(d)),
                None => rule.ports.off_cluster().clone(),
            };
            let decided = conns.intersection(&scope);
            if decided.is_empty() {
                continue;
            }
            decide(rule.action, &decided);
            scope = scope.difference(&decided);
        }
        scope
    }

    /// Whether `subject`'s Admin-tier Allow rules may admit `peer`.
    pub(crate) fn admin_allows_reach(
        &self,
        lists: &TierLists,
        subject: IdentityId,
        peer: IdentityId,
    ) -> bool {
        lists
            .allow_reach
            .get(subject)
            .and_then(Option::as_ref)
            .is_some_and(|b| b.contains(peer))
    }
}

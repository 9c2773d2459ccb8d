//! Namespaces by label, to find the namespaces a selector matches without
//! testing every namespace: only those holding the label of one of its
//! `In` requirements (the rarest) are tested.

use podnet_model::{Cluster, LabelSelector, NsId, Operator};
use rustc_hash::FxHashMap;

/// The namespaces of a cluster, indexed by label.
pub struct NamespaceIndex<'c> {
    cluster: &'c Cluster,
    by_label: FxHashMap<(&'c str, &'c str), Vec<NsId>>,
}

impl<'c> NamespaceIndex<'c> {
    /// Indexes `cluster`'s namespaces.
    pub fn new(cluster: &'c Cluster) -> Self {
        let mut by_label: FxHashMap<(&str, &str), Vec<NsId>> = FxHashMap::default();
        for (i, ns) in cluster.namespaces.iter().enumerate() {
            for (k, v) in ns.labels.iter() {
                by_label
                    .entry((k, v))
                    .or_default()
                    .push(NsId::from_index(i));
            }
        }
        NamespaceIndex { cluster, by_label }
    }

    /// The namespaces whose labels `sel` matches, ascending.
    pub fn matching(&self, sel: &LabelSelector) -> Vec<NsId> {
        let cluster = self.cluster;
        let candidates: Option<Vec<NsId>> = sel
            .requirements()
            .iter()
            .filter(|r| r.operator == Operator::In)
            .map(|r| {
                let mut ids: Vec<NsId> = r
                    .values
                    .iter()
                    .filter_map(|v| self.by_label.get(&(r.key.as_str(), v.as_str())))
                    .flatten()
                    .copied()
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            })
            .min_by_key(Vec::len);
        let matches = |n: &NsId| sel.matches(&cluster.namespace(*n).labels);
        match candidates {
            Some(ids) => ids.into_iter().filter(matches).collect(),
            None => (0..cluster.namespaces.len())
                .map(NsId::from_index)
                .filter(matches)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use podnet_model::{Labels, Namespace, Requirement};

    use super::*;

    #[test]
    fn the_index_matches_like_testing_every_namespace() {
        let mut cluster = Cluster::default();
        for (name, team, env) in [("a", "x", "dev"), ("b", "x", "prod"), ("c", "y", "prod")] {
            let mut labels = Labels::new();
            labels.insert("team", team);
            labels.insert("env", env);
            cluster.namespaces.push(Namespace {
                name: name.into(),
                labels,
                declared: None,
            });
        }
        let index = NamespaceIndex::new(&cluster);
        let selectors = [
            LabelSelector::everything(),
            LabelSelector::new([("team".to_owned(), "x".to_owned())], []),
            LabelSelector::new(
                [("env".to_owned(), "prod".to_owned())],
                [Requirement::new("team", Operator::NotIn, vec!["x".into()])],
            ),
            LabelSelector::new(
                [],
                [Requirement::new(
                    "team",
                    Operator::In,
                    vec!["x".into(), "y".into()],
                )],
            ),
            LabelSelector::new(
                [],
                [Requirement::new("env", Operator::DoesNotExist, vec![])],
            ),
        ];
        for sel in selectors {
            let want: Vec<NsId> = (0..3)
                .map(NsId::from_index)
                .filter(|n| sel.matches(&cluster.namespace(*n).labels))
                .collect();
            assert_eq!(index.matching(&sel), want, "{sel}");
        }
    }
}
